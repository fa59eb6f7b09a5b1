import type { Kysely } from 'kysely';
import { deriveAttemptState, isStateKey, sessionTimeKey } from '../domain/attempt-state.js';
import type { ScormVersion } from '../domain/scorm-version.js';
import { parseSessionTime } from '../scorm/cmi-time.js';
import {
  appendElements,
  type AttemptUpdate,
  type BatchKey,
  type ElementRow,
  readStateValues,
  recordBatches,
  sessionRanks,
  type ValueRow,
  sumSessionTimes,
  upsertSessionTimes,
  updateAttemptRows,
  upsertValues,
} from '../store/repositories/attempt-data.js';
import type { Database } from '../store/schema.js';

export interface AttemptElement {
  k: string;
  v: string;
  /** Client clock, epoch ms, when the exam set the value. */
  t: number | null;
}

export interface IncomingBatch {
  attemptId: number;
  sessionId: string;
  seq: number;
  elements: AttemptElement[];
  /** Sent after the exam called Terminate. */
  terminate: boolean;
  /** Instructors may write to ended attempts; students may not. */
  writerRole: 'instructor' | 'student';
}

export type BatchOutcome =
  | { status: 'acked'; seq: number; ended: boolean }
  | { status: 'refused'; seq: number; code: 'attempt_ended' | 'not_found'; message: string };

const batchId = (b: { attemptId: number; sessionId: string; seq: number } | BatchKey): string =>
  'attemptId' in b ? `${b.attemptId}\u0000${b.sessionId}\u0000${b.seq}` : `${b.attempt_id}\u0000${b.session_id}\u0000${b.seq}`;

/**
 * Stores batches from any number of attempts in one transaction (the group commit calls it
 * with everything that arrived while the previous transaction ran). A batch is applied
 * at most once: its (attempt, session, seq) is recorded with the elements, so a resend is
 * acknowledged and skipped. Acknowledge only after this resolves: then it is durable.
 */
export async function saveAttemptBatches(db: Kysely<Database>, batches: IncomingBatch[], now: number): Promise<BatchOutcome[]> {
  if (batches.length === 0) return [];
  return db.transaction().execute(async (trx) => {
    const attemptIds = [...new Set(batches.map((b) => b.attemptId))];
    const attempts = await trx
      .selectFrom('attempts')
      .innerJoin('package_versions', 'package_versions.id', 'attempts.package_version_id')
      .select(['attempts.id', 'attempts.ended_at', 'attempts.ended_seq', 'attempts.current_session_id', 'package_versions.scorm_version'])
      .where('attempts.id', 'in', attemptIds)
      .execute();
    const byId = new Map(attempts.map((a) => [a.id, a]));

    const outcomes = new Map<string, BatchOutcome>();
    const candidates: IncomingBatch[] = [];
    const seen = new Set<string>();
    for (const batch of batches) {
      const id = batchId(batch);
      // The same batch twice in one group (resent while the first was in flight): apply once.
      if (seen.has(id)) continue;
      seen.add(id);
      const attempt = byId.get(batch.attemptId);
      if (!attempt) {
        outcomes.set(id, { status: 'refused', seq: batch.seq, code: 'not_found', message: 'This attempt no longer exists.' });
      } else if (attempt.ended_at !== null && batch.writerRole === 'student' && !(batch.sessionId === attempt.current_session_id && batch.seq < (attempt.ended_seq ?? 0))) {
        // The window that ended the attempt may still deliver batches it sent before its
        // terminate batch (they can arrive late); anything else is too late.
        outcomes.set(id, { status: 'refused', seq: batch.seq, code: 'attempt_ended', message: 'This attempt has ended: no more answers can be saved to it.' });
      } else {
        candidates.push(batch);
      }
    }

    const fresh = new Set(
      (await recordBatches(trx, candidates.map((b) => ({ attempt_id: b.attemptId, session_id: b.sessionId, seq: b.seq })), now)).map(batchId),
    );
    const applied = candidates.filter((b) => fresh.has(batchId(b)));

    // A batch's rank is when its session was opened, so a newer window's values win over a
    // late batch from an older one; a session we never opened ranks as now.
    const ranks = new Map((await sessionRanks(trx, [...new Set(applied.map((b) => b.attemptId))])).map((r) => [`${r.attempt_id}\u0000${r.session_id}`, r.opened_at]));
    const history: ElementRow[] = [];
    const current = new Map<string, ValueRow>();
    const sessionTimes = new Map<string, { attempt_id: number; session_id: string; session_time_ms: number; opened_at: number }>();
    const touched: Touched = new Map();
    for (const batch of applied) {
      const version = byId.get(batch.attemptId)?.scorm_version as ScormVersion;
      const timeKey = sessionTimeKey(version);
      const mark = touched.get(batch.attemptId) ?? { elements: 0, state: false, time: false, terminate: null };
      mark.elements += batch.elements.length;
      if (batch.terminate) mark.terminate = Math.max(mark.terminate ?? 0, batch.seq);
      const rank = ranks.get(`${batch.attemptId}\u0000${batch.sessionId}`) ?? now;
      for (const el of batch.elements) {
        history.push({ attempt_id: batch.attemptId, key: el.k, value: el.v, client_time: el.t, server_time: now, session_id: batch.sessionId, seq: batch.seq });
        // Within a group, keep the newest write of each key (by session rank, then seq, then
        // order inside the batch); the upsert then applies it only over older writes.
        const id = `${batch.attemptId}\u0000${el.k}`;
        const held = current.get(id);
        if (!held || rank > held.session_rank || (rank === held.session_rank && batch.seq >= held.seq)) {
          current.set(id, { attempt_id: batch.attemptId, key: el.k, value: el.v, updated_at: now, session_rank: rank, seq: batch.seq });
        }
        if (isStateKey(el.k)) mark.state = true;
        if (el.k === timeKey) {
          const ms = parseSessionTime(el.v);
          if (ms !== null) {
            sessionTimes.set(`${batch.attemptId}\u0000${batch.sessionId}`, { attempt_id: batch.attemptId, session_id: batch.sessionId, session_time_ms: ms, opened_at: now });
            mark.time = true;
          }
        }
      }
      touched.set(batch.attemptId, mark);
    }
    await appendElements(trx, history);
    await upsertValues(trx, [...current.values()]);
    await upsertSessionTimes(trx, [...sessionTimes.values()]);

    const ended = await updateAttempts(trx, touched, byId, now);
    for (const batch of candidates) {
      outcomes.set(batchId(batch), { status: 'acked', seq: batch.seq, ended: ended.has(batch.attemptId) });
    }
    return batches.map((b) => outcomes.get(batchId(b)) as BatchOutcome);
  });
}

/** Per attempt in a group: elements added, whether state or time may have changed, and the seq of a terminate batch. */
type Touched = Map<number, { elements: number; state: boolean; time: boolean; terminate: number | null }>;

/** Re-derives the state of the attempts the batches changed; returns the ones that ended now. */
async function updateAttempts(
  trx: Kysely<Database>,
  touched: Touched,
  byId: Map<number, { id: number; ended_at: number | null; scorm_version: string }>,
  now: number,
): Promise<Set<number>> {
  const ended = new Set<number>();
  const needState = [...touched].filter(([, m]) => m.state || m.terminate !== null).map(([id]) => id);
  const stateRows = await readStateValues(trx, needState);
  const valuesOf = new Map<number, Map<string, string>>();
  for (const row of stateRows) {
    const map = valuesOf.get(row.attempt_id) ?? new Map<string, string>();
    map.set(row.key, row.value);
    valuesOf.set(row.attempt_id, map);
  }
  const updates: AttemptUpdate[] = [];
  for (const [attemptId, mark] of touched) {
    const attempt = byId.get(attemptId);
    if (!attempt) continue;
    const state = mark.state || mark.terminate !== null ? deriveAttemptState(attempt.scorm_version as ScormVersion, valuesOf.get(attemptId) ?? new Map()) : null;
    // The attempt is over when the exam finished and said so by terminating.
    const ends = state !== null && mark.terminate !== null && state.complete && attempt.ended_at === null;
    if (ends) ended.add(attemptId);
    updates.push({
      id: attemptId,
      elements: mark.elements,
      state: state && {
        completion_status: state.completionStatus,
        success_status: state.successStatus,
        score_raw: state.score.raw,
        score_min: state.score.min,
        score_max: state.score.max,
        score_scaled: state.score.scaled,
        question_scores: state.questions.length > 0 ? JSON.stringify(state.questions) : null,
      },
      ended: ends && mark.terminate !== null ? { ended_at: now, ended_seq: mark.terminate } : null,
      time_spent_ms: mark.time ? await sumSessionTimes(trx, attemptId) : null,
    });
  }
  await updateAttemptRows(trx, updates, now);
  return ended;
}
