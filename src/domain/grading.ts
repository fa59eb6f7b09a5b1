import type { EffectiveAccess } from './access-change.js';
import { countsAsComplete, type AttemptFacts } from './attempt-rules.js';
import type { ResourceSettings } from './resource-settings.js';

/** The score that counts for a student: scaled 0..1, or null when there is nothing to grade. */
export interface Grade {
  scaled: number | null;
  /** The attempt the grade comes from; null for an average or no grade. */
  attemptId: number | null;
}

const NO_GRADE: Grade = { scaled: null, attemptId: null };

/** LTI 1.1 outcomes accept only 0..1, while SCORM 2004 allows -1..1: clamp rather than be refused. */
function clamp01(n: number): number {
  return Math.min(1, Math.max(0, n));
}

/** The attempt's scaled score: its own scaled value, else raw/max when max is positive, else null. */
export function attemptScaled(attempt: AttemptFacts): number | null {
  if (attempt.scoreScaled !== null && Number.isFinite(attempt.scoreScaled)) return clamp01(attempt.scoreScaled);
  if (attempt.scoreRaw !== null && attempt.scoreMax !== null && attempt.scoreMax > 0) return clamp01(attempt.scoreRaw / attempt.scoreMax);
  return null;
}

/** Start order; the id breaks ties between attempts started in the same millisecond. */
function byStart(a: AttemptFacts, b: AttemptFacts): number {
  return a.startedAt - b.startedAt || a.id - b.id;
}

export function countingAttempts(settings: ResourceSettings, attempts: AttemptFacts[], access: EffectiveAccess, now: number): AttemptFacts[] {
  return attempts.filter((a) => settings.includeIncomplete || countsAsComplete(a, access, now)).sort(byStart);
}

export function gradeFor(settings: ResourceSettings, attempts: AttemptFacts[], access: EffectiveAccess, now: number): Grade {
  const counting = countingAttempts(settings, attempts, access, now);
  if (counting.length === 0) return NO_GRADE;
  switch (settings.gradingMethod) {
    case 'highest': {
      let best: Grade = NO_GRADE;
      for (const a of counting) {
        const scaled = attemptScaled(a);
        // Strictly greater: on a tie the earlier attempt keeps the grade, so it does not jump between equals.
        if (scaled !== null && (best.scaled === null || scaled > best.scaled)) best = { scaled, attemptId: a.id };
      }
      return best;
    }
    case 'last': {
      const last = counting[counting.length - 1] as AttemptFacts;
      return { scaled: attemptScaled(last), attemptId: last.id };
    }
    case 'average': {
      // An attempt without a score counts as 0: it was taken, and leaving it out would raise the average.
      const total = counting.reduce((sum, a) => sum + (attemptScaled(a) ?? 0), 0);
      return { scaled: total / counting.length, attemptId: null };
    }
  }
}
