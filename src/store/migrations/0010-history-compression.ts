import { sql, type Kysely } from 'kysely';
import { isSqlite } from './column-types.js';

/**
 * Frozen: PostgreSQL compresses new history batches with lz4 instead of pglz.
 *
 * A Numbas answer's batch carries the exam's whole suspend_data (a few kilobytes), which is
 * over PostgreSQL's 2 KB TOAST threshold, so every history row is compressed on the way in.
 * Under the attempt benchmark the history insert took 48 µs a row with pglz and 27 with lz4
 * (docs/performance.md, eighth round). Rows already written keep pglz: PostgreSQL reads
 * either. Servers built without lz4 (it is optional at build time) keep pglz.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  if (isSqlite(db)) return;
  const lz4 = await sql<{ ok: boolean }>`select 'lz4' = any(enumvals) as ok from pg_settings where name = 'default_toast_compression'`.execute(db);
  if (lz4.rows[0]?.ok !== true) return;
  await sql`alter table attempt_history alter column elements set compression lz4`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  if (isSqlite(db)) return;
  await sql`alter table attempt_history alter column elements set compression default`.execute(db);
}
