import { Kysely, Migrator, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { join } from 'node:path';
import { migrationProvider } from './migrations/index.js';
import type { Database } from './schema.js';
import { preparingPool } from './prepared-statements.js';
import { startCheckpointer } from './sqlite-checkpointer.js';
import { openSqliteConnection, sqliteKysely } from './sqlite-connection.js';
import { SqliteWriteGate } from './sqlite-write-gate.js';

export type Dialect = 'sqlite' | 'postgres';

export interface Store {
  db: Kysely<Database>;
  dialect: Dialect;
  /** The SQLite file, so the attempt writer's thread can open its own connection; null on PostgreSQL. */
  sqliteFile: string | null;
  /** The PostgreSQL URL, so the attempt writer's thread can open its own connections; null on SQLite. */
  databaseUrl: string | null;
  /** Turns at SQLite's write lock, shared by the serving connection and the attempt writer's thread; null on PostgreSQL. */
  sqliteGate: SqliteWriteGate | null;
  close(): Promise<void>;
}

export interface StoreOptions {
  /** postgres://… for PostgreSQL; null for the embedded SQLite file in dataDir. */
  databaseUrl: string | null;
  dataDir: string;
  /** SQLite file name override (tests use one per suite). */
  sqliteFile?: string;
  poolSize?: number;
  /** An idle PostgreSQL connection failed (the server restarted, or ended it); default: one line on stderr. */
  onConnectionError?: (error: Error) => void;
}

function reportConnectionError(error: Error): void {
  process.stderr.write(`database: an idle connection failed (${error.message}); the next query opens a new one\n`);
}

// PostgreSQL returns int8 as strings to be safe beyond 2^53; our ids and epoch-millisecond
// times stay far below that, so parse them as numbers and keep one row shape for both dialects.
pg.types.setTypeParser(20, (value) => Number(value));

function openSqlite(file: string): { db: Kysely<Database>; gate: SqliteWriteGate | null; close(): Promise<void> } {
  const database = openSqliteConnection(file);
  const checkpointer = startCheckpointer(file, (message) => process.emitWarning(`SQLite checkpoint worker: ${message}`));
  const gate = new SqliteWriteGate();
  const db = sqliteKysely(database, gate);
  return {
    db,
    gate,
    async close() {
      await checkpointer.stop();
      await db.destroy();
    },
  };
}

/** A Kysely over a pool of PostgreSQL connections (the server's, or the attempt writer thread's own). */
export function postgresKysely(url: string, poolSize: number, onConnectionError: (error: Error) => void = reportConnectionError): Kysely<Database> {
  const pool = preparingPool(new pg.Pool({ connectionString: url, max: poolSize }));
  // Without a listener, an idle connection's error (a restart or failover of the database)
  // would be an uncaught exception and end the process; the pool drops that connection itself.
  pool.on('error', onConnectionError);
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}

function openPostgres(url: string, poolSize: number, onConnectionError: (error: Error) => void): { db: Kysely<Database>; gate: SqliteWriteGate | null; close(): Promise<void> } {
  const db = postgresKysely(url, poolSize, onConnectionError);
  return { db, gate: null, close: () => db.destroy() };
}

export async function openStore(options: StoreOptions): Promise<Store> {
  const dialect: Dialect = options.databaseUrl ? 'postgres' : 'sqlite';
  const sqliteFile = options.databaseUrl ? null : (options.sqliteFile ?? join(options.dataDir, 'lti-exam-provider.sqlite'));
  const opened = options.databaseUrl ? openPostgres(options.databaseUrl, options.poolSize ?? 10, options.onConnectionError ?? reportConnectionError) : openSqlite(sqliteFile as string);
  await migrate(opened.db);
  return { db: opened.db, dialect, sqliteFile, databaseUrl: options.databaseUrl, sqliteGate: opened.gate, close: opened.close };
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
