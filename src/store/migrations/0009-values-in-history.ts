import type { Kysely } from 'kysely';

/**
 * Frozen: a current value may point at the history instead of holding a copy.
 *
 * `attempt_values.history_session_id`, when set, says the value is the last write of the row's
 * key in the history batch (attempt_id, history_session_id, seq), and `value` is empty. The
 * writer uses it for long values (Numbas rewrites a suspend_data of a few kilobytes on every
 * answer): the history row written in the same transaction already holds the value, and
 * copying it into the current values again was a third of the value upsert's time on
 * PostgreSQL (docs/performance.md). History rows are never deleted while their attempt exists,
 * so the pointer always finds its batch.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('attempt_values').addColumn('history_session_id', 'text').execute();
}

export async function down(): Promise<void> {
  // Dropping the column would leave the values it points at empty.
  throw new Error('0009-values-in-history cannot be undone: restore a backup taken before it');
}
