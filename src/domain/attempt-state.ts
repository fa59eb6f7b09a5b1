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
  if (raw === undefined) return null;
  const n = Number(raw);
  // Number('') and Number('  ') are 0, but an empty value is no score.
  if (n === 0 && raw.trim() === '') return null;
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

interface ObjectiveKeys {
  id: string;
  raw: string;
  min: string;
  max: string;
  scaled: string;
}

/**
 * The key names of objective i, built once for the first objectives: the server derives
 * state on every answer, and building (and hashing) these strings each time was a visible
 * part of its time at saturation (docs/performance.md).
 */
const objectiveKeyCache: ObjectiveKeys[] = [];
const CACHED_OBJECTIVES = 1000;

function objectiveKeys(i: number): ObjectiveKeys {
  const cached = objectiveKeyCache[i];
  if (cached) return cached;
  const base = `cmi.objectives.${i}`;
  const keys = { id: `${base}.id`, raw: `${base}.score.raw`, min: `${base}.score.min`, max: `${base}.score.max`, scaled: `${base}.score.scaled` };
  if (i < CACHED_OBJECTIVES) objectiveKeyCache[i] = keys;
  return keys;
}

function questions(values: Values): AttemptState['questions'] {
  const out: AttemptState['questions'] = [];
  for (let i = 0; ; i++) {
    const keys = objectiveKeys(i);
    const id = values.get(keys.id);
    if (id === undefined) break;
    const raw = num(values, keys.raw);
    const min = num(values, keys.min);
    const max = num(values, keys.max);
    out.push({ id, raw, min, max, scaled: num(values, keys.scaled) ?? scaledFrom(raw, min, max) });
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
