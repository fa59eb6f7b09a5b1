import type { ScormVersion } from './scorm-version.js';

/**
 * What an attempt's stored elements say about it: completion, success, score and the
 * score of each question (SCORM objectives). Pure: the caller reads the values.
 */
export interface AttemptState {
  completionStatus: string | null;
  successStatus: string | null;
  score: { raw: number | null; min: number | null; max: number | null; scaled: number | null };
  questions: QuestionScore[];
  /** `questions` as JSON (what attempts.question_scores holds), or null when there are none. */
  questionsJson: string | null;
  /** True when the values say the learner finished (not only paused). */
  complete: boolean;
}

export interface QuestionScore {
  id: string;
  raw: number | null;
  min: number | null;
  max: number | null;
  scaled: number | null;
}

/**
 * Questions derived earlier for one attempt, by objective index, each with its JSON. The
 * writer re-derives an attempt's state on every answer, and an answer changes one question:
 * re-reading and re-encoding all of them was a visible part of its time at saturation
 * (docs/performance.md). Whoever changes a value of objective i must forget entry i
 * (`objectiveIndex`); an empty memo derives everything.
 */
export type QuestionMemo = Map<number, { score: QuestionScore; json: string }>;

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

const OBJECTIVES = 'cmi.objectives.';

/** The objective a key belongs to ('cmi.objectives.3.score.raw' → 3), or null for any other key. */
export function objectiveIndex(key: string): number | null {
  if (!key.startsWith(OBJECTIVES)) return null;
  const dot = key.indexOf('.', OBJECTIVES.length);
  const digits = key.slice(OBJECTIVES.length, dot === -1 ? undefined : dot);
  return /^(0|[1-9][0-9]{0,8})$/.test(digits) ? Number(digits) : null;
}

function questions(values: Values, memo: QuestionMemo): { list: QuestionScore[]; json: string | null } {
  const list: QuestionScore[] = [];
  const parts: string[] = [];
  for (let i = 0; ; i++) {
    let held = memo.get(i);
    if (held === undefined) {
      const keys = objectiveKeys(i);
      const id = values.get(keys.id);
      if (id === undefined) break;
      const raw = num(values, keys.raw);
      const min = num(values, keys.min);
      const max = num(values, keys.max);
      const score = { id, raw, min, max, scaled: num(values, keys.scaled) ?? scaledFrom(raw, min, max) };
      held = { score, json: JSON.stringify(score) };
      memo.set(i, held);
    }
    list.push(held.score);
    parts.push(held.json);
  }
  // An array's JSON is its items' JSON, comma-separated, in brackets.
  return { list, json: list.length > 0 ? `[${parts.join(',')}]` : null };
}

export function deriveAttemptState(version: ScormVersion, values: Values, memo: QuestionMemo = new Map()): AttemptState {
  if (version === '1.2') {
    const lesson = values.get('cmi.core.lesson_status') ?? null;
    const raw = num(values, 'cmi.core.score.raw');
    const min = num(values, 'cmi.core.score.min');
    const max = num(values, 'cmi.core.score.max');
    const finished = lesson === 'completed' || lesson === 'passed' || lesson === 'failed';
    const derived = questions(values, memo);
    return {
      completionStatus: finished ? 'completed' : lesson === null ? null : lesson === 'not attempted' ? 'not attempted' : 'incomplete',
      successStatus: lesson === 'passed' || lesson === 'failed' ? lesson : null,
      score: { raw, min, max, scaled: scaledFrom(raw, min, max) },
      questions: derived.list,
      questionsJson: derived.json,
      complete: finished,
    };
  }
  const completion = values.get('cmi.completion_status') ?? null;
  const raw = num(values, 'cmi.score.raw');
  const min = num(values, 'cmi.score.min');
  const max = num(values, 'cmi.score.max');
  const derived = questions(values, memo);
  return {
    completionStatus: completion,
    successStatus: values.get('cmi.success_status') ?? null,
    score: { raw, min, max, scaled: num(values, 'cmi.score.scaled') ?? scaledFrom(raw, min, max) },
    questions: derived.list,
    questionsJson: derived.json,
    complete: completion === 'completed',
  };
}

/** Session time element of each version. */
export function sessionTimeKey(version: ScormVersion): string {
  return version === '1.2' ? 'cmi.core.session_time' : 'cmi.session_time';
}
