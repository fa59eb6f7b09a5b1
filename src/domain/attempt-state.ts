import type { ScormVersion } from './scorm-version.js';

/**
 * What an attempt's stored elements say about it: completion, success, score and the
 * score of each question (SCORM objectives). Pure: the caller reads the values.
 */
export interface AttemptState {
  completionStatus: string | null;
  successStatus: string | null;
  score: { raw: number | null; min: number | null; max: number | null; scaled: number | null };
  questions: Array<{ id: string; raw: number | null; min: number | null; max: number | null; scaled: number | null }>;
  /** True when the values say the learner finished (not only paused). */
  complete: boolean;
}

type Values = ReadonlyMap<string, string>;

function num(values: Values, key: string): number | null {
  const raw = values.get(key);
  if (raw === undefined || raw.trim() === '') return null;
  const n = Number(raw);
  return Number.isFinite(n) ? n : null;
}

function scaledFrom(raw: number | null, min: number | null, max: number | null): number | null {
  if (raw === null || max === null) return null;
  const low = min ?? 0;
  return max > low ? (raw - low) / (max - low) : null;
}

/** The element keys this derivation reads, so the caller can load only those. */
export function isStateKey(key: string): boolean {
  return (
    key === 'cmi.completion_status' ||
    key === 'cmi.success_status' ||
    key.startsWith('cmi.score.') ||
    key === 'cmi.core.lesson_status' ||
    key.startsWith('cmi.core.score.') ||
    (key.startsWith('cmi.objectives.') && (key.endsWith('.id') || key.includes('.score.')))
  );
}

function questions(values: Values): AttemptState['questions'] {
  const out: AttemptState['questions'] = [];
  for (let i = 0; values.has(`cmi.objectives.${i}.id`); i++) {
    const base = `cmi.objectives.${i}.score`;
    const raw = num(values, `${base}.raw`);
    const min = num(values, `${base}.min`);
    const max = num(values, `${base}.max`);
    out.push({ id: values.get(`cmi.objectives.${i}.id`) ?? String(i), raw, min, max, scaled: num(values, `${base}.scaled`) ?? scaledFrom(raw, min, max) });
  }
  return out;
}

export function deriveAttemptState(version: ScormVersion, values: Values): AttemptState {
  if (version === '1.2') {
    const lesson = values.get('cmi.core.lesson_status') ?? null;
    const raw = num(values, 'cmi.core.score.raw');
    const min = num(values, 'cmi.core.score.min');
    const max = num(values, 'cmi.core.score.max');
    const finished = lesson === 'completed' || lesson === 'passed' || lesson === 'failed';
    return {
      completionStatus: finished ? 'completed' : lesson === null ? null : lesson === 'not attempted' ? 'not attempted' : 'incomplete',
      successStatus: lesson === 'passed' || lesson === 'failed' ? lesson : null,
      score: { raw, min, max, scaled: scaledFrom(raw, min, max) },
      questions: questions(values),
      complete: finished,
    };
  }
  const completion = values.get('cmi.completion_status') ?? null;
  const raw = num(values, 'cmi.score.raw');
  const min = num(values, 'cmi.score.min');
  const max = num(values, 'cmi.score.max');
  return {
    completionStatus: completion,
    successStatus: values.get('cmi.success_status') ?? null,
    score: { raw, min, max, scaled: num(values, 'cmi.score.scaled') ?? scaledFrom(raw, min, max) },
    questions: questions(values),
    complete: completion === 'completed',
  };
}

/** Session time element of each version. */
export function sessionTimeKey(version: ScormVersion): string {
  return version === '1.2' ? 'cmi.core.session_time' : 'cmi.session_time';
}
