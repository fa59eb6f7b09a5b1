import { sql, type Kysely } from 'kysely';
import { isSqlite } from './column-types.js';

/**
 * Frozen: on PostgreSQL, element keys, session ids and job keys compare byte by byte.
 *
 * These columns lead the indexes every answer probes or extends: the current values' key,
 * the history's and the sessions' session id, the attempt's current session, the job key.
 * They hold ASCII identifiers (SCORM element names, random ids), for which a language's sort
 * order means nothing; under a database's default collation (en_US.UTF-8, or even C.UTF-8)
 * PostgreSQL compares them through the C library's strcoll, a copy and a call per comparison,
 * about twenty comparisons per index probe. The "C" collation compares bytes. Every column
 * that is compared with another is changed with it (a comparison across two collations is an
 * error). SQLite already compares bytes. Nothing sorts by these columns, so no listing changes
 * order. The table rows are not rewritten (text stays text), but the indexes on these columns
 * are rebuilt, under a lock: on a database with millions of stored values, expect the upgrade
 * to take minutes. Under the attempt benchmark the value upsert went from 16.8 to 16.1 µs a row,
 * the history insert from 35 to 32 µs and the grade job upsert from 843 to 530 ms in 15 s
 * (docs/performance.md, eighth round).
 */
/** Table and columns changed together: each pair that is compared with the other is here whole. */
const COLUMNS: ReadonlyArray<readonly [table: string, columns: readonly string[]]> = [
  ['attempt_values', ['key', 'history_session_id']],
  ['attempt_history', ['session_id']],
  ['attempt_sessions', ['session_id']],
  ['attempts', ['current_session_id']],
  ['jobs', ['key']],
];

async function collate(db: Kysely<unknown>, collation: string): Promise<void> {
  for (const [table, columns] of COLUMNS) {
    const changes = columns.map((c) => sql`alter column ${sql.id(c)} type text collate ${sql.id(collation)}`);
    await sql`alter table ${sql.id(table)} ${sql.join(changes)}`.execute(db);
  }
}

export async function up(db: Kysely<unknown>): Promise<void> {
  if (isSqlite(db)) return;
  await collate(db, 'C');
}

export async function down(db: Kysely<unknown>): Promise<void> {
  if (isSqlite(db)) return;
  await collate(db, 'default');
}
