import type { Kysely } from 'kysely';
import { isStateKey, sessionTimeKey } from '../domain/attempt-state.js';
import type { AttemptStateCache } from './attempt-state-cache.js';
import { type Remembered, type Touched, updateAttempts } from './attempt-updates.js';
import { sessionKey } from './session-rank-cache.js';
import type { ScormVersion } from '../domain/scorm-version.js';
import { parseSessionTime } from '../scorm/cmi-time.js';
import { appendBatches, type BatchKey } from '../store/repositories/attempt-history.js';
import { recordSessions, sessionRanks, type ValueRow, upsertSessionTimes, upsertValues, valueRow } from '../store/repositories/attempt-data.js';
import type { AttemptUpdate } from '../store/repositories/attempt-rows.js';
import type { Database } from '../store/schema.js';
import { type GradeRefreshItem, enqueueGradeRefresh } from './grade-refresh.js';

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
  /** The elements as the history stores them, when encoded before the group (attempt-write-thread.ts). */
  encodedElements?: string;
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
 *
 * `cache` (the writer's, one per process) holds attempts' state values between groups, so
 * deriving state needs no read of them; it is refreshed only after the commit.
 */
export async function saveAttemptBatches(db: Kysely<Database>, batches: IncomingBatch[], now: number, cache: AttemptStateCache | null = null): Promise<BatchOutcome[]> {
  if (batches.length === 0) return [];
  const remember: Remembered[] = [];
  const rememberRanks: SessionRow[] = [];
  const outcomes = await db.transaction().execute(async (trx) => {
    const attemptIds = [...new Set(batches.map((b) => b.attemptId))];
    const attempts = await trx
      .selectFrom('attempts')
      .innerJoin('package_versions', 'package_versions.id', 'attempts.package_version_id')
      .select([
        'attempts.id',
        'attempts.resource_id',
        'attempts.user_id',
        'attempts.ended_at',
        'attempts.ended_seq',
        'attempts.current_session_id',
        'attempts.element_count',
        'attempts.score_raw',
        'attempts.score_scaled',
        'attempts.completion_status',
        'package_versions.scorm_version',
      ])
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

    // The history row is also the batch's record: only the batches it did not hold yet are applied.
    const fresh = new Set(
      (await appendBatches(trx, candidates.map((b) => ({ attempt_id: b.attemptId, session_id: b.sessionId, seq: b.seq, received_at: now, elements: b.elements, encoded: b.encodedElements })))).map(batchId),
    );
    const applied = candidates.filter((b) => fresh.has(batchId(b)));

    // A batch's rank is when its session was opened, so a newer window's values win over a
    // late batch from an older one. A session with no row (never opened through a launch, or
    // its row lost) is recorded now, opened as of now, so all its later batches share one rank
    // and a late one cannot outrank them.
    const ranks = await rankSessions(trx, applied, cache, rememberRanks);
    const unknown = new Map<string, { attempt_id: number; session_id: string; opened_at: number }>();
    for (const b of applied) {
      const id = sessionKey(b.attemptId, b.sessionId);
      if (!ranks.has(id)) unknown.set(id, { attempt_id: b.attemptId, session_id: b.sessionId, opened_at: now });
    }
    if (unknown.size > 0) {
      await recordSessions(trx, [...unknown.values()]);
      // Our own insert, or a row another writer committed first (then its rank, read back).
      for (const r of await sessionRanks(trx, [...new Set([...unknown.values()].map((u) => u.attempt_id))])) {
        const id = sessionKey(r.attempt_id, r.session_id);
        if (unknown.has(id)) ranks.set(id, r.opened_at);
        rememberRanks.push(r);
      }
    }
    const current = new Map<string, ValueRow>();
    const sessionTimes = new Map<string, { attempt_id: number; session_id: string; session_time_ms: number; opened_at: number }>();
    const touched: Touched = new Map();
    for (const batch of applied) {
      const version = byId.get(batch.attemptId)?.scorm_version as ScormVersion;
      const timeKey = sessionTimeKey(version);
      const mark = touched.get(batch.attemptId) ?? { elements: 0, state: false, time: false, terminate: null, terminateSession: null };
      mark.elements += batch.elements.length;
      if (batch.terminate && batch.seq >= (mark.terminate ?? 0)) {
        mark.terminate = batch.seq;
        mark.terminateSession = batch.sessionId;
      }
      const rank = ranks.get(sessionKey(batch.attemptId, batch.sessionId)) ?? now;
      for (const el of batch.elements) {
        // Within a group, keep the newest write of each key (by session rank, then seq, then
        // order inside the batch); the upsert then applies it only over older writes.
        const id = `${batch.attemptId}\u0000${el.k}`;
        const stateKey = isStateKey(el.k);
        const held = current.get(id);
        if (!held || rank > held.session_rank || (rank === held.session_rank && batch.seq >= held.seq)) {
          current.set(id, valueRow(batch, el, now, rank, !stateKey));
        }
        if (stateKey) mark.state = true;
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
    await upsertValues(trx, [...current.values()]);
    await upsertSessionTimes(trx, [...sessionTimes.values()]);

    const derived = new Map<number, NonNullable<AttemptUpdate['state']>>();
    const ended = await updateAttempts(trx, touched, byId, [...current.values()], cache, remember, now, derived);
    // A changed score or an ended attempt may have to reach the LMS: queue the grade send in
    // this same transaction, so an acknowledged answer can never leave its grade unsent.
    await enqueueGradeRefresh(trx, gradeEvents(byId, derived, ended), now);
    for (const batch of candidates) {
      outcomes.set(batchId(batch), { status: 'acked', seq: batch.seq, ended: ended.has(batch.attemptId) });
    }
    return batches.map((b) => outcomes.get(batchId(b)) as BatchOutcome);
  });
  for (const r of remember) cache?.put(r.attemptId, r.elementCount, r.state);
  for (const r of rememberRanks) cache?.ranks.remember(r.attempt_id, r.session_id, r.opened_at);
  return outcomes;
}

type SessionRow = { attempt_id: number; session_id: string; opened_at: number };

/**
 * The rank of each applied batch's session, by sessionKey: from the writer's memory, else read
 * (every session of the attempts it does not know, in one statement), and remembered after
 * commit (`toRemember`). Sessions with no row yet are absent.
 */
async function rankSessions(trx: Kysely<Database>, applied: IncomingBatch[], cache: AttemptStateCache | null, toRemember: SessionRow[]): Promise<Map<string, number>> {
  const ranks = new Map<string, number>();
  const unread = new Set<number>();
  for (const b of applied) {
    const known = cache?.ranks.get(b.attemptId, b.sessionId);
    if (known === undefined) unread.add(b.attemptId);
    else ranks.set(sessionKey(b.attemptId, b.sessionId), known);
  }
  if (unread.size === 0) return ranks;
  for (const r of await sessionRanks(trx, [...unread])) {
    ranks.set(sessionKey(r.attempt_id, r.session_id), r.opened_at);
    toRemember.push(r);
  }
  return ranks;
}

type GradeFacts = { resource_id: number; user_id: number; score_raw: number | null; score_scaled: number | null; completion_status: string | null };

/** The grade events of a group: an attempt that ended now, or whose score or completion changed. */
function gradeEvents(byId: Map<number, GradeFacts>, derived: Map<number, NonNullable<AttemptUpdate['state']>>, ended: Set<number>): GradeRefreshItem[] {
  const items: GradeRefreshItem[] = [];
  for (const [attemptId, state] of derived) {
    const before = byId.get(attemptId);
    if (!before) continue;
    const target = { resourceId: before.resource_id, userId: before.user_id };
    if (ended.has(attemptId)) items.push({ ...target, event: 'attempt-completed' });
    else if (state.score_raw !== before.score_raw || state.score_scaled !== before.score_scaled || state.completion_status !== before.completion_status) {
      items.push({ ...target, event: 'score-changed' });
    }
  }
  return items;
}
