import { pick, seededRandom } from '../lib/random.js';

/** One SCORM element as the player sends it (docs/attempt-protocol.md). */
export interface Element {
  k: string;
  v: string;
  t: number;
}

/** Numbas exams of this size: 20 questions, one objective and one interaction each. */
export const QUESTIONS = 20;
/** Numbas rewrites suspend_data (the whole exam state, JSON) after every answer: about 2 KB. */
const SUSPEND_BYTES = 2048;
/** Distinct suspend_data strings to rotate through: generating 2 KB per batch would cost the load generator more than sending it. */
const SUSPEND_POOL = 64;

const random = seededRandom(0xa77e);

function suspendData(i: number): string {
  const base = JSON.stringify({ v: 'numbas', q: i, answers: Array.from({ length: QUESTIONS }, (_, n) => ({ n, a: `x^${n}+${i}`, s: n % 3 })) });
  return base.repeat(Math.ceil(SUSPEND_BYTES / base.length)).slice(0, SUSPEND_BYTES);
}

const SUSPEND = Array.from({ length: SUSPEND_POOL }, (_, i) => suspendData(i));

function suspend(): string {
  return SUSPEND[pick(random, SUSPEND_POOL)] ?? '';
}

/** The pool's strings as JSON, escaped once: escaping 2 KB of JSON per answer was a good part of the load generator's CPU. */
const SUSPEND_JSON = SUSPEND.map((v) => JSON.stringify(v));

/** A batch's elements already as JSON text, and how many there are. */
export interface EncodedElements {
  json: string;
  count: number;
}

/**
 * What Numbas sets when an exam starts (SCORM 2004): the attempt's status and score range,
 * every question's objective and interaction, then suspend_data. It sets them one by one
 * within a few milliseconds, so the player's queue flushes one big batch (82 elements here)
 * and then a few small ones as the first page renders: 100 elements in all.
 */
export function startBatches(now: number): Element[][] {
  const first: Element[] = [
    { k: 'cmi.completion_status', v: 'incomplete', t: now },
    { k: 'cmi.success_status', v: 'unknown', t: now },
    { k: 'cmi.score.min', v: '0', t: now },
    { k: 'cmi.score.max', v: String(QUESTIONS * 5), t: now },
    { k: 'cmi.score.raw', v: '0', t: now },
    { k: 'cmi.score.scaled', v: '0', t: now },
    { k: 'cmi.exit', v: 'suspend', t: now },
    { k: 'cmi.location', v: '0', t: now },
  ];
  for (let q = 0; q < QUESTIONS; q++) {
    first.push(
      { k: `cmi.objectives.${q}.id`, v: `q${q}`, t: now },
      { k: `cmi.objectives.${q}.score.max`, v: '5', t: now },
    );
  }
  for (let q = 0; q < QUESTIONS; q++) {
    if (first.length >= 80) break;
    first.push(
      { k: `cmi.interactions.${q}.id`, v: `q${q}p0`, t: now },
      { k: `cmi.interactions.${q}.type`, v: 'fill-in', t: now },
    );
  }
  first.push({ k: 'cmi.progress_measure', v: '0', t: now }, { k: 'cmi.suspend_data', v: suspend(), t: now });
  const small = (part: number): Element[] => [
    { k: 'cmi.location', v: String(part), t: now },
    { k: `cmi.interactions.${part}.description`, v: `Part ${part}: simplify the expression`, t: now },
    { k: `cmi.interactions.${part}.correct_responses.0.pattern`, v: `x^${part}+1`, t: now },
    { k: `cmi.objectives.${part}.score.raw`, v: '0', t: now },
    { k: 'cmi.session_time', v: `PT${part}S`, t: now },
    { k: 'cmi.suspend_data', v: suspend(), t: now },
  ];
  return [first, small(1), small(2), small(3)];
}

/** Elements a student's start sends, for reporting. */
export const START_ELEMENTS = startBatches(0).reduce((n, b) => n + b.length, 0);

/**
 * One answer: Numbas records the response, re-scores the question and the exam, and saves
 * its state. Four elements, two of which (the scores) make the server re-derive the attempt.
 */
export function answerBatch(answer: number, now: number): Element[] {
  const q = answer % QUESTIONS;
  return [
    { k: `cmi.interactions.${q}.learner_response`, v: `x^${q}+${answer}`, t: now },
    { k: `cmi.objectives.${q}.score.raw`, v: String(answer % 6), t: now },
    { k: 'cmi.score.raw', v: String(answer % (QUESTIONS * 5)), t: now },
    { k: 'cmi.suspend_data', v: suspend(), t: now },
  ];
}

export const ANSWER_ELEMENTS = 4;

/**
 * answerBatch's elements as the JSON the client sends, built from pre-escaped parts (the same
 * text JSON.stringify gives: test/unit/bench-elements.test.ts). The saturation phase sends
 * thousands per second from the machine the server runs on; the cheaper each is to make, the
 * more of the machine is left to the server.
 */
export function answerJson(answer: number, now: number): EncodedElements {
  const q = answer % QUESTIONS;
  const suspendJson = SUSPEND_JSON[pick(random, SUSPEND_POOL)] ?? '""';
  return {
    count: ANSWER_ELEMENTS,
    json:
      `[{"k":"cmi.interactions.${q}.learner_response","v":"x^${q}+${answer}","t":${now}},` +
      `{"k":"cmi.objectives.${q}.score.raw","v":"${answer % 6}","t":${now}},` +
      `{"k":"cmi.score.raw","v":"${answer % (QUESTIONS * 5)}","t":${now}},` +
      `{"k":"cmi.suspend_data","v":${suspendJson},"t":${now}}]`,
  };
}

/**
 * A long attempt's history for the resume test: `batch` of 200, 100 elements each, cycling
 * over 500 keys (100 interactions × 5 fields), so the history has 20,000 rows and the
 * current-value snapshot about 500 keys.
 */
export function historyBatch(batch: number, size: number, now: number): Element[] {
  const fields = ['id', 'type', 'description', 'learner_response', 'result'];
  const out: Element[] = [];
  for (let i = 0; i < size; i++) {
    const n = (batch * size + i) % 500;
    out.push({ k: `cmi.interactions.${Math.floor(n / 5)}.${fields[n % 5] ?? 'id'}`, v: `value ${batch}.${i} for key ${n}`, t: now });
  }
  return out;
}
