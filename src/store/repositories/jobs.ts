import { type Kysely, type Transaction, sql } from 'kysely';
import { isSqlite } from '../dialect.js';
import type { Database } from '../schema.js';
import type { JobRow } from '../tables/jobs.js';

type Db = Kysely<Database> | Transaction<Database>;

export interface NewJob {
  kind: string;
  /** Names the work, not the request: requests with the same key coalesce while pending. Include the kind. */
  key: string;
  /** Any JSON value; stored as text. */
  payload: unknown;
  runAt: number;
  deadlineAt: number;
  resourceId?: number | null;
}

/** A running job's transitions are guarded by its lock: a node that lost it changes nothing. */
export interface HeldJob {
  id: number;
  node: string;
}

export type RequeueOutcome =
  /** The job is pending again. */
  | { outcome: 'requeued'; jobId: number }
  /** A newer pending request had the same key: this one is cancelled and `jobId` carries on. */
  | { outcome: 'coalesced'; jobId: number }
  /** The lock was lost (taken back by another node, or cancelled): nothing changed. */
  | { outcome: 'lock_lost'; jobId: number };

/** Row locks exist on PostgreSQL only; SQLite has one writer, so a transaction already excludes everyone. */
function forUpdate<Q extends { forUpdate(): Q }>(db: Db, query: Q): Q {
  return isSqlite(db) ? query : query.forUpdate();
}

function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE';
}

/**
 * Queues a job, or coalesces it into the pending job with the same key. Coalescing must never
 * lose or delay the newer request:
 * - payload: the newer one (the latest grade is the one to send);
 * - run_at: the earlier of the two (the newer request runs no later than it asked; the pending
 *   one was going to run then anyway, now with the newer payload). Work that must still happen at
 *   its own later time (a send after a due date) therefore needs its own key;
 * - deadline_at: the later of the two (the newer request keeps its full deadline);
 * - tries and last_error are kept, so a retrying job's backoff toward a failing LMS goes on.
 * One statement on the partial unique index, so two nodes enqueueing the same key cannot both insert.
 */
export async function enqueueJob(db: Db, job: NewJob, now: number): Promise<JobRow> {
  return db
    .insertInto('jobs')
    .values({
      kind: job.kind,
      key: job.key,
      payload: JSON.stringify(job.payload ?? null),
      state: 'pending',
      tries: 0,
      run_at: job.runAt,
      deadline_at: job.deadlineAt,
      resource_id: job.resourceId ?? null,
      created_at: now,
      updated_at: now,
    })
    // A literal, not a parameter: PostgreSQL must see that the predicate matches the partial index.
    .onConflict((oc) =>
      oc
        .column('key')
        .where('state', '=', sql.lit('pending'))
        .doUpdateSet((eb) => ({
          kind: eb.ref('excluded.kind'),
          payload: eb.ref('excluded.payload'),
          run_at: sql<number>`case when excluded.run_at < jobs.run_at then excluded.run_at else jobs.run_at end`,
          deadline_at: sql<number>`case when excluded.deadline_at > jobs.deadline_at then excluded.deadline_at else jobs.deadline_at end`,
          resource_id: sql<number | null>`coalesce(excluded.resource_id, jobs.resource_id)`,
          updated_at: eb.ref('excluded.updated_at'),
        })),
    )
    .returningAll()
    .executeTakeFirstOrThrow();
}

function heldBy<Q extends { where: (column: 'id' | 'state' | 'locked_by', op: '=', value: number | string) => Q }>(query: Q, held: HeldJob): Q {
  return query.where('id', '=', held.id).where('state', '=', 'running').where('locked_by', '=', held.node);
}

export async function completeJob(db: Db, held: HeldJob & { result?: unknown }, now: number): Promise<boolean> {
  const result = await heldBy(db.updateTable('jobs'), held)
    .set({
      state: 'done',
      result: held.result === undefined ? null : JSON.stringify(held.result),
      locked_by: null,
      locked_until: null,
      finished_at: now,
      updated_at: now,
    })
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

export async function failJob(db: Db, held: HeldJob & { error: string }, now: number): Promise<boolean> {
  const result = await heldBy(db.updateTable('jobs'), held)
    .set({ state: 'failed', last_error: held.error, locked_by: null, locked_until: null, finished_at: now, updated_at: now })
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Cancels a pending or running job (a running one's handler sees its lock lost at the next heartbeat). */
export async function cancelJob(db: Db, id: number, now: number): Promise<boolean> {
  const result = await db
    .updateTable('jobs')
    .set({ state: 'cancelled', locked_by: null, locked_until: null, finished_at: now, updated_at: now })
    .where('id', '=', id)
    .where('state', 'in', ['pending', 'running'])
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

export async function setJobProgress(db: Db, held: HeldJob & { progress: unknown }, now: number): Promise<boolean> {
  const result = await heldBy(db.updateTable('jobs'), held)
    .set({ progress: JSON.stringify(held.progress ?? null), updated_at: now })
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** The heartbeat: extends the locks `node` still holds; returns their ids (the others were lost). */
export async function extendJobLocks(db: Db, options: { node: string; ids: number[]; lockedUntil: number }, now: number): Promise<number[]> {
  if (options.ids.length === 0) return [];
  const rows = await db
    .updateTable('jobs')
    .set({ locked_until: options.lockedUntil, updated_at: now })
    .where('id', 'in', options.ids)
    .where('state', '=', 'running')
    .where('locked_by', '=', options.node)
    .returning('id')
    .execute();
  return rows.map((r) => r.id);
}

interface Requeue extends HeldJob {
  /** New run_at; undefined keeps the job's own. */
  runAt?: number;
  /** undefined keeps last_error. */
  error?: string;
  /** The try did not happen (the job was handed back unrun): take back the claim's count. */
  undoTry: boolean;
}

async function requeueOnce(trx: Transaction<Database>, job: Requeue, now: number): Promise<RequeueOutcome> {
  const own = await forUpdate(trx, heldBy(trx.selectFrom('jobs').selectAll(), job)).executeTakeFirst();
  if (!own) return { outcome: 'lock_lost', jobId: job.id };
  const tries = job.undoTry ? Math.max(0, own.tries - 1) : own.tries;
  const runAt = job.runAt ?? own.run_at;
  const lastError = job.error ?? own.last_error;
  const newer = await forUpdate(trx, trx.selectFrom('jobs').selectAll().where('key', '=', own.key).where('state', '=', 'pending')).executeTakeFirst();
  if (newer) {
    // The newer request's payload wins; it runs no later than either asked, keeps the later
    // deadline, and inherits the tries so backoff toward a failing target is not reset.
    await trx
      .updateTable('jobs')
      .set({
        run_at: Math.min(newer.run_at, runAt),
        deadline_at: Math.max(newer.deadline_at, own.deadline_at),
        tries: Math.max(newer.tries, tries),
        last_error: lastError ?? newer.last_error,
        updated_at: now,
      })
      .where('id', '=', newer.id)
      .execute();
    await trx
      .updateTable('jobs')
      .set({ state: 'cancelled', tries, last_error: lastError, result: JSON.stringify({ supersededBy: newer.id }), locked_by: null, locked_until: null, finished_at: now, updated_at: now })
      .where('id', '=', own.id)
      .execute();
    return { outcome: 'coalesced', jobId: newer.id };
  }
  await trx
    .updateTable('jobs')
    .set({ state: 'pending', run_at: runAt, tries, last_error: lastError, locked_by: null, locked_until: null, updated_at: now })
    .where('id', '=', own.id)
    .execute();
  return { outcome: 'requeued', jobId: own.id };
}

async function requeue(db: Kysely<Database>, job: Requeue, now: number): Promise<RequeueOutcome> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.transaction().execute((trx) => requeueOnce(trx, job, now));
    } catch (error) {
      // A request with the same key was inserted after our look (PostgreSQL, between two
      // statements): the transaction rolled back; the next round finds it and coalesces.
      if (attempt >= 3 || !isUniqueViolation(error)) throw error;
    }
  }
}

/** A try failed and may be retried at `runAt`: back to pending, or into a newer pending job with the same key. */
export function retryJob(db: Kysely<Database>, job: HeldJob & { runAt: number; error: string }, now: number): Promise<RequeueOutcome> {
  return requeue(db, { ...job, undoTry: false }, now);
}

/** Hands a claimed job back unrun (its target is busy, or the node is stopping); the claim's try is taken back. */
export function releaseJob(db: Kysely<Database>, job: HeldJob & { runAt?: number }, now: number): Promise<RequeueOutcome> {
  return requeue(db, { ...job, undoTry: true }, now);
}

export async function getJob(db: Db, id: number): Promise<JobRow | undefined> {
  return db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Newest first, for instructors' views of a resource's jobs. */
export async function listJobs(db: Db, options: { resourceId: number; limit: number }): Promise<JobRow[]> {
  return db
    .selectFrom('jobs')
    .selectAll()
    .where('resource_id', '=', options.resourceId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(options.limit)
    .execute();
}
