import { type Expression, type ExpressionBuilder, type Kysely, type SqlBool, type Transaction, sql } from 'kysely';
import { isSqlite } from '../dialect.js';
import type { Database } from '../schema.js';
import type { JobRow } from '../tables/jobs.js';

type Db = Kysely<Database> | Transaction<Database>;

export interface ClaimOptions {
  node: string;
  limit: number;
  now: number;
  lockMs: number;
  /** Only these kinds (a node claims only what it has handlers for). */
  kinds?: string[];
}

/**
 * Takes up to `limit` due jobs for `node`: pending ones whose time has come, and running ones
 * whose lock expired (their node died). On PostgreSQL `for update skip locked` lets every node
 * claim at once without waiting on, or taking, each other's rows; on SQLite each statement alone
 * is atomic.
 *
 * A pending job is not taken while a job with its key is running (even one whose node died:
 * that one is taken back first). So the requests of one key run one after another: a newer
 * request that arrives during a try waits for it, and if that try must be retried it coalesces
 * into the newer request (see retryJob) rather than being sent after it. The check reads only
 * running rows with that key (one probe of the running-keys index).
 */
export async function claimJobs(db: Db, options: ClaimOptions): Promise<JobRow[]> {
  if (options.limit <= 0 || options.kinds?.length === 0) return [];
  if (isSqlite(db) || db.isTransaction) return claimDue(db, options);
  return db.transaction().execute(async (trx) => {
    await orderedPlans(trx);
    return claimDue(trx, options);
  });
}

/**
 * PostgreSQL plans by its statistics, and a burst (a cohort's grade sends queued within
 * seconds) makes them stale: believing a handful of jobs due, it fetched and sorted every due
 * job (thousands) on each claim, a core of the database in the attempt benchmark's realistic
 * phase (docs/performance.md). With sorts and bitmap scans priced out for the rest of the
 * transaction (SET LOCAL), the plan left reads the due-jobs index in order and stops at the
 * limit, whatever the statistics say. Call it in a transaction that only claims.
 */
export async function orderedPlans(trx: Transaction<Database>): Promise<void> {
  await sql`set local enable_sort = off`.execute(trx);
  await sql`set local enable_bitmapscan = off`.execute(trx);
}

async function claimDue(db: Db, options: ClaimOptions): Promise<JobRow[]> {
  const { limit, now } = options;
  // Jobs whose node died go first: they are the oldest, and they hold back their keys. Two
  // statements, since one for "pending or expired" could not follow the index's order.
  const expired = await claimStatement(db, options, limit, (eb) => eb.and([eb('state', '=', 'running'), eb('locked_until', '<', now)])).execute();
  const pending = expired.length >= limit ? [] : await pendingClaim(db, options, limit - expired.length).execute();
  return [...expired, ...pending].sort((a, b) => a.run_at - b.run_at || a.id - b.id);
}

/** The claim of pending jobs whose time has come and whose key is not running (exported for the plan test). */
export function pendingClaim(db: Db, options: ClaimOptions, limit: number) {
  return claimStatement(db, options, limit, (eb) =>
    eb.and([
      eb('state', '=', 'pending'),
      eb('run_at', '<=', options.now),
      // A literal state, so PostgreSQL probes the partial index of running keys (migration 0008).
      eb.not(eb.exists(eb.selectFrom('jobs as sibling').select('sibling.id').where('sibling.state', '=', sql.lit('running')).whereRef('sibling.key', '=', 'jobs.key'))),
    ]),
  );
}

type DueFilter = (eb: ExpressionBuilder<Database, 'jobs'>) => Expression<SqlBool>;

/** Claims up to `limit` jobs matching `due`, earliest run_at (then id) first: the order of the (state, run_at, id) index. */
function claimStatement(db: Db, options: ClaimOptions, limit: number, due: DueFilter) {
  const { node, now, lockMs, kinds } = options;
  let ids = db.selectFrom('jobs').select('id').where(due);
  if (kinds) ids = ids.where('kind', 'in', kinds);
  ids = ids.orderBy('run_at').orderBy('id').limit(limit);
  if (!isSqlite(db)) ids = ids.forUpdate().skipLocked();
  return db
    .updateTable('jobs')
    .set({ state: 'running', locked_by: node, locked_until: now + lockMs, tries: sql<number>`tries + 1`, updated_at: now })
    .where('id', 'in', ids)
    .returningAll();
}
