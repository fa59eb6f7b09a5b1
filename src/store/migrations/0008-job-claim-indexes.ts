import { type Kysely, sql } from 'kysely';

/**
 * Frozen: indexes that keep a job claim cheap however many jobs are due.
 *
 * - `jobs_due_order (state, run_at, id)` replaces `jobs_due (state, run_at)`: a claim orders by
 *   run time, then id, and with the id in the index PostgreSQL reads the first few due jobs in
 *   order and stops, instead of fetching and sorting every due one.
 * - `jobs_running_key (key) where state = 'running'`: a pending job is not claimed while a job
 *   with its key runs, and that check is now one index probe. Before, PostgreSQL re-read every
 *   running row for each due job: with 3,000 grade sends due, one claim took 70–90 ms, and the
 *   job runner's claims kept a core of the database busy (docs/performance.md).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex('jobs_due_order').on('jobs').columns(['state', 'run_at', 'id']).execute();
  await db.schema.dropIndex('jobs_due').execute();
  await db.schema.createIndex('jobs_running_key').on('jobs').column('key').where(sql.ref('state'), '=', 'running').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('jobs_running_key').execute();
  await db.schema.createIndex('jobs_due').on('jobs').columns(['state', 'run_at']).execute();
  await db.schema.dropIndex('jobs_due_order').execute();
}
