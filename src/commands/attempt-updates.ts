import type { Kysely } from 'kysely';
import { deriveAttemptState, isStateKey } from '../domain/attempt-state.js';
import type { ScormVersion } from '../domain/scorm-version.js';
import { readStateValues, sumSessionTimes, type ValueRow } from '../store/repositories/attempt-data.js';
import { type AttemptUpdate, updateAttemptRows } from '../store/repositories/attempt-rows.js';
import type { Database } from '../store/schema.js';
import { type AttemptStateCache, type StateValues, applyWrite } from './attempt-state-cache.js';

/** State values to keep in the cache once the transaction has committed. */
export interface Remembered {
  attemptId: number;
  elementCount: number;
  state: StateValues;
}

/** State values of these attempts as the database holds them now (this transaction's writes included). */
async function loadStates(trx: Kysely<Database>, attemptIds: number[]): Promise<Map<number, StateValues>> {
  const states = new Map<number, StateValues>(attemptIds.map((id) => [id, { values: new Map(), order: new Map(), questions: new Map() }]));
  for (const row of await readStateValues(trx, attemptIds)) {
    const state = states.get(row.attempt_id);
    state?.values.set(row.key, row.value);
    state?.order.set(row.key, { rank: row.session_rank, seq: row.seq });
  }
  return states;
}

/** Per attempt in a group: elements added, whether state or time may have changed, and the seq and session of a terminate batch. */
export type Touched = Map<number, { elements: number; state: boolean; time: boolean; terminate: number | null; terminateSession: string | null }>;

/**
 * Re-derives the state of the attempts the batches changed; returns the ones that ended now.
 * State values come from the cache when it is current, else from the database (after this
 * group's upsert, so they include its writes).
 */
export async function updateAttempts(
  trx: Kysely<Database>,
  touched: Touched,
  byId: Map<number, { id: number; ended_at: number | null; element_count: number; scorm_version: string }>,
  written: ValueRow[],
  cache: AttemptStateCache | null,
  remember: Remembered[],
  now: number,
  derived: Map<number, NonNullable<AttemptUpdate['state']>>,
): Promise<Set<number>> {
  const held = new Map<number, StateValues>();
  const misses: number[] = [];
  for (const [attemptId, mark] of touched) {
    const attempt = byId.get(attemptId);
    const state = attempt && cache ? cache.take(attemptId, attempt.element_count) : null;
    if (state) held.set(attemptId, state);
    else if (mark.state || mark.terminate !== null) misses.push(attemptId);
  }
  // The group's newest write of each key, applied to cached values by the upsert's own rule.
  for (const row of written) {
    const state = held.get(row.attempt_id);
    if (state && isStateKey(row.key)) applyWrite(state, row.key, row.value, row.session_rank, row.seq);
  }
  for (const [attemptId, state] of await loadStates(trx, misses)) held.set(attemptId, state);

  const ended = new Set<number>();
  const updates: AttemptUpdate[] = [];
  for (const [attemptId, mark] of touched) {
    const attempt = byId.get(attemptId);
    if (!attempt) continue;
    const update = await attemptUpdate(trx, attempt, mark, held.get(attemptId), now);
    if (update.ended) ended.add(attemptId);
    if (update.state) derived.set(attemptId, update.state);
    updates.push(update);
  }
  const counts = await updateAttemptRows(trx, updates, now);

  // Another node stored elements of one of these attempts after this transaction read it
  // (PostgreSQL, READ COMMITTED): its count is not ours alone. Its writes are committed now,
  // since our UPDATE waited for its lock on the attempt row, so read the state again and
  // derive it once more, rather than keep a state that misses its values.
  const raced = counts.filter((c) => c.element_count !== (byId.get(c.id)?.element_count ?? 0) + (touched.get(c.id)?.elements ?? 0)).map((c) => c.id);
  const rederive = raced.filter((id) => held.has(id) || touched.get(id)?.state === true);
  if (rederive.length > 0) {
    const fresh = await loadStates(trx, rederive);
    const again: AttemptUpdate[] = [];
    for (const [attemptId, state] of fresh) {
      const attempt = byId.get(attemptId);
      const mark = touched.get(attemptId);
      if (!attempt || !mark) continue;
      held.set(attemptId, state);
      const update = await attemptUpdate(trx, attempt, { ...mark, elements: 0, time: false, state: true }, state, now);
      if (update.ended) ended.add(attemptId);
      if (update.state) derived.set(attemptId, update.state);
      again.push(update);
    }
    await updateAttemptRows(trx, again, now);
  }
  const rederived = new Set(rederive);
  for (const c of counts) {
    const state = held.get(c.id);
    if (state && (!raced.includes(c.id) || rederived.has(c.id))) remember.push({ attemptId: c.id, elementCount: c.element_count, state });
  }
  return ended;
}

/** One attempt's row change: its element count, and its state when the group may have changed it. */
async function attemptUpdate(
  trx: Kysely<Database>,
  attempt: { id: number; ended_at: number | null; scorm_version: string },
  mark: Touched extends Map<number, infer M> ? M : never,
  held: StateValues | undefined,
  now: number,
): Promise<AttemptUpdate> {
  const derive = mark.state || mark.terminate !== null;
  const state = derive ? deriveAttemptState(attempt.scorm_version as ScormVersion, held?.values ?? new Map(), held?.questions) : null;
  // The attempt is over when the exam finished and said so by terminating.
  const ends = state !== null && mark.terminate !== null && state.complete && attempt.ended_at === null;
  return {
    id: attempt.id,
    elements: mark.elements,
    state: state && {
      completion_status: state.completionStatus,
      success_status: state.successStatus,
      score_raw: state.score.raw,
      score_min: state.score.min,
      score_max: state.score.max,
      score_scaled: state.score.scaled,
      question_scores: state.questionsJson,
    },
    // The window that ended the attempt becomes its current session: it alone may still
    // deliver the batches it sent before its terminate batch.
    ended: ends && mark.terminate !== null && mark.terminateSession !== null ? { ended_at: now, ended_seq: mark.terminate, session_id: mark.terminateSession } : null,
    time_spent_ms: mark.time ? await sumSessionTimes(trx, attempt.id) : null,
  };
}
