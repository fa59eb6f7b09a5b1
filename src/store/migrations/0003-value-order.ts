import type { Kysely } from 'kysely';

/**
 * Frozen: each current value remembers which write set it — the rank of its client session
 * (when that session was opened) and the batch seq — so a late or resent older batch can
 * never overwrite a newer value. An ended attempt remembers the seq of the terminate batch
 * that ended it, so the ending window's earlier batches can still land after it.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('attempt_values').addColumn('session_rank', 'bigint', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.alterTable('attempt_values').addColumn('seq', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.alterTable('attempts').addColumn('ended_seq', 'integer').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('attempts').dropColumn('ended_seq').execute();
  await db.schema.alterTable('attempt_values').dropColumn('seq').execute();
  await db.schema.alterTable('attempt_values').dropColumn('session_rank').execute();
}
