import SQLite from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, sql } from 'kysely';
import pg from 'pg';
import { join } from 'node:path';
import { migrationProvider } from './migrations/index.js';
import type { Database } from './schema.js';
import { BACKSTOP_WAL_PAGES, startCheckpointer } from './sqlite-checkpointer.js';
import { withStatementCache } from './sqlite-statement-cache.js';

export type Dialect = 'sqlite' | 'postgres';

export interface Store {
  db: Kysely<Database>;
  dialect: Dialect;
  close(): Promise<void>;
}

export interface StoreOptions {
  /** postgres://… for PostgreSQL; null for the embedded SQLite file in dataDir. */
  databaseUrl: string | null;
  dataDir: string;
  /** SQLite file name override (tests use one per suite). */
  sqliteFile?: string;
  poolSize?: number;
}

// PostgreSQL returns int8 as strings to be safe beyond 2^53; our ids and epoch-millisecond
// times stay far below that, so parse them as numbers and keep one row shape for both dialects.
pg.types.setTypeParser(20, (value) => Number(value));

/** The serving connection's page cache. */
const PAGE_CACHE_KIB = 64 * 1024;

function openSqlite(file: string): { db: Kysely<Database>; close(): Promise<void> } {
  const database = new SQLite(file);
  // WAL lets readers run during writes; synchronous=NORMAL in WAL mode still survives a
  // killed process (the WAL is in the OS page cache), only a power cut can lose the tail.
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = NORMAL');
  database.pragma('foreign_keys = ON');
  database.pragma('busy_timeout = 5000');
  // Checkpoints run on a worker thread (sqlite-checkpointer.ts), not inside our COMMITs;
  // this connection checkpoints only if the WAL ever reaches the backstop size.
  database.pragma(`wal_autocheckpoint = ${BACKSTOP_WAL_PAGES}`);
  // A group commit dirties thousands of pages scattered over several B-trees; with SQLite's
  // default 2 MiB page cache it spilled them to the WAL mid-transaction and re-read hot index
  // pages from the OS on every group (docs/performance.md).
  database.pragma(`cache_size = -${PAGE_CACHE_KIB}`);
  const checkpointer = startCheckpointer(file, (message) => process.emitWarning(`SQLite checkpoint worker: ${message}`));
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(database) }) });
  return {
    db,
    async close() {
      await checkpointer.stop();
      await db.destroy();
    },
  };
}

function openPostgres(url: string, poolSize: number): { db: Kysely<Database>; close(): Promise<void> } {
  const pool = new pg.Pool({ connectionString: url, max: poolSize });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return { db, close: () => db.destroy() };
}

export async function openStore(options: StoreOptions): Promise<Store> {
  const dialect: Dialect = options.databaseUrl ? 'postgres' : 'sqlite';
  const opened = options.databaseUrl
    ? openPostgres(options.databaseUrl, options.poolSize ?? 10)
    : openSqlite(options.sqliteFile ?? join(options.dataDir, 'lti-exam-provider.sqlite'));
  await migrate(opened.db);
  return { db: opened.db, dialect, close: opened.close };
}

export async function migrate(db: Kysely<Database>): Promise<void> {
  const migrator = new Migrator({ db, provider: migrationProvider });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) {
    const name = failed ? ` (${failed.migrationName})` : '';
    throw new Error(`database migration failed${name}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** A cheap round trip, for /healthz. */
export async function ping(db: Kysely<Database>): Promise<void> {
  await sql`select 1`.execute(db);
}
