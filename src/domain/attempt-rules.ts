import type { EffectiveAccess } from './access-change.js';
import { availabilityEnded, isAvailable } from './availability.js';
import type { ResourceSettings } from './resource-settings.js';

/** What the rules need to know about one attempt. Times are epoch milliseconds. */
export interface AttemptFacts {
  id: number;
  startedAt: number;
  endedAt: number | null;
  completionStatus: string | null;
  scoreScaled: number | null;
  scoreRaw: number | null;
  scoreMax: number | null;
}

/** The reason is a sentence shown to the student. */
export type Verdict = { allowed: true } | { allowed: false; reason: string };

const ALLOWED: Verdict = { allowed: true };

function refuse(reason: string): Verdict {
  return { allowed: false, reason };
}

/** Why the resource is closed right now, in the student's terms. */
function unavailableReason(access: EffectiveAccess, now: number): string {
  if (availabilityEnded(access, now)) return 'This exam is no longer available.';
  return 'This exam is not available at the moment.';
}

/** An attempt counts as complete when it ended, said it was completed, or the student's time to finish it is over for good. */
export function countsAsComplete(attempt: AttemptFacts, access: EffectiveAccess, now: number): boolean {
  return attempt.endedAt !== null || attempt.completionStatus === 'completed' || availabilityEnded(access, now);
}

/**
 * An open attempt must be continued rather than doubled, so a new one is refused while one is open.
 * Access tokens add to a limited allowance only: unlimited stays unlimited.
 */
export function canStartAttempt(access: EffectiveAccess, attempts: AttemptFacts[], now: number): Verdict {
  if (!isAvailable(access, now)) return refuse(unavailableReason(access, now));
  if (attempts.some((a) => a.endedAt === null)) return refuse('You have an attempt in progress: continue it instead of starting a new one.');
  if (access.maxAttempts !== 0) {
    const allowed = access.maxAttempts + access.extraAttempts;
    if (attempts.length >= allowed) {
      return refuse(`You have used all ${allowed} of your allowed attempts.`);
    }
  }
  return ALLOWED;
}

export function canResume(access: EffectiveAccess, attempt: AttemptFacts, now: number): Verdict {
  if (attempt.endedAt !== null) return refuse('This attempt has ended and cannot be continued.');
  if (!isAvailable(access, now)) return refuse(unavailableReason(access, now));
  return ALLOWED;
}

/**
 * Instructors may always review. Students review only finished attempts, and only from the review date
 * when one is set. `access` lets an attempt whose availability ended for good count as finished.
 */
export function canReview(
  settings: ResourceSettings,
  attempt: AttemptFacts,
  now: number,
  role: 'student' | 'instructor',
  access?: EffectiveAccess,
): Verdict {
  if (role === 'instructor') return ALLOWED;
  const complete = access ? countsAsComplete(attempt, access, now) : attempt.endedAt !== null || attempt.completionStatus === 'completed';
  if (!complete) return refuse('You can review this attempt once it is complete.');
  if (settings.reviewFrom !== null && now < settings.reviewFrom) {
    return refuse(`Review opens at ${new Date(settings.reviewFrom).toISOString()}.`);
  }
  return ALLOWED;
}
