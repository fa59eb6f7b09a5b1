import SQLite from 'better-sqlite3';
import { CompiledQuery, type DatabaseConnection, type Driver, Kysely, type QueryResult, SqliteDialect, type SqliteDialectConfig, SqliteDriver } from 'kysely';
import type { Database } from './schema.js';
import { BACKSTOP_WAL_BYTES } from './sqlite-checkpointer.js';
import { type CachedSqliteDatabase, withStatementCache } from './sqlite-statement-cache.js';
import type { SqliteWriteGate } from './sqlite-write-gate.js';

/** A connection's page cache. */
const PAGE_CACHE_KIB = 64 * 1024;

/**
 * The page size of a new database file. Larger than SQLite's 4 KiB default because the cost of
 * a group commit goes with the pages it writes, more than with their bytes: an answer changes
 * a few hundred bytes in each of several B-trees, and each changed page is a WAL frame to
 * write, index and copy back. The attempt benchmark's saturation went from about 27,000 to
 * about 33,000 elements/s with 16 KiB pages (2 KiB pages: 23,000; docs/performance.md). An
 * existing file keeps the page size it was created with: changing it means rewriting the file.
 */
export const SQLITE_PAGE_SIZE = 16384;

/**
 * Opens one connection to the SQLite file with the settings every connection of ours uses:
 * the serving connection on the event loop and the attempt writer's on its worker thread.
 */
export function openSqliteConnection(file: string): SQLite.Database {
  const database = new SQLite(file);
  // Takes effect only on a file with no tables yet, so before anything else.
  database.pragma(`page_size = ${SQLITE_PAGE_SIZE}`);
  // WAL lets readers run during writes; synchronous=NORMAL in WAL mode still survives a
  // killed process (the WAL is in the OS page cache), only a power cut can lose the tail.
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = NORMAL');
  database.pragma('foreign_keys = ON');
  database.pragma('busy_timeout = 5000');
  // Checkpoints run on a worker thread (sqlite-checkpointer.ts), not inside our COMMITs;
  // this connection checkpoints only if the WAL ever reaches the backstop size.
  const pageSize = Number(database.pragma('page_size', { simple: true }));
  database.pragma(`wal_autocheckpoint = ${Math.ceil(BACKSTOP_WAL_BYTES / pageSize)}`);
  // A group commit dirties thousands of pages scattered over several B-trees; with SQLite's
  // default 2 MiB page cache it spilled them to the WAL mid-transaction and re-read hot index
  // pages from the OS on every group (docs/performance.md).
  database.pragma(`cache_size = -${PAGE_CACHE_KIB}`);
  return database;
}

/**
 * SQLite driver whose transactions start with BEGIN IMMEDIATE. Two connections write to the
 * file (the serving one and the attempt writer's thread). A deferred transaction that read
 * first and then writes fails at once with SQLITE_BUSY_SNAPSHOT when the other connection
 * committed in between, without waiting; an immediate one takes the write lock up front.
 *
 * With a gate (the serving connection's), every write first awaits its turn at the lock
 * (sqlite-write-gate.ts): a transaction from BEGIN to COMMIT or ROLLBACK, a statement outside
 * one for its own run. Reads never wait: in WAL mode they do not need the lock.
 */
class ImmediateSqliteDriver extends SqliteDriver {
  /** Ends the open transaction's turn at the gate; null outside a transaction. */
  private turn: (() => void) | null = null;

  constructor(
    config: SqliteDialectConfig,
    private readonly database: CachedSqliteDatabase,
    private readonly gate: SqliteWriteGate | null,
  ) {
    super(config);
  }

  override async acquireConnection(): Promise<DatabaseConnection> {
    const connection = await super.acquireConnection();
    const gate = this.gate;
    if (gate === null) return connection;
    return {
      executeQuery: async <R>(query: CompiledQuery): Promise<QueryResult<R>> => {
        if (this.turn !== null || this.database.isReadonly(query.sql)) return connection.executeQuery<R>(query);
        const release = await gate.acquire();
        try {
          return await connection.executeQuery<R>(query);
        } finally {
          release();
        }
      },
      streamQuery: <R>(query: CompiledQuery, chunkSize?: number) => connection.streamQuery<R>(query, chunkSize),
    };
  }

  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    if (this.gate !== null) this.turn = await this.gate.acquire();
    try {
      await connection.executeQuery(CompiledQuery.raw('begin immediate'));
    } catch (error) {
      this.endTurn();
      throw error;
    }
  }

  override async commitTransaction(connection: DatabaseConnection): Promise<void> {
    // A failed COMMIT is followed by Kysely's ROLLBACK, which ends the turn.
    await super.commitTransaction(connection);
    this.endTurn();
  }

  override async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    try {
      await super.rollbackTransaction(connection);
    } finally {
      this.endTurn();
    }
  }

  private endTurn(): void {
    const release = this.turn;
    this.turn = null;
    release?.();
  }
}

class ImmediateSqliteDialect extends SqliteDialect {
  constructor(
    private readonly settings: SqliteDialectConfig & { database: CachedSqliteDatabase },
    private readonly gate: SqliteWriteGate | null,
  ) {
    super(settings);
  }

  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.settings, this.settings.database, this.gate);
  }
}

/**
 * Kysely over one SQLite connection, statements kept prepared, transactions immediate.
 * `gate`: the serving connection's turns at the write lock, shared with the attempt writer's
 * thread (null on that thread itself, whose turns the event loop takes for it).
 */
export function sqliteKysely(database: SQLite.Database, gate: SqliteWriteGate | null = null): Kysely<Database> {
  return new Kysely<Database>({ dialect: new ImmediateSqliteDialect({ database: withStatementCache(database) }, gate) });
}
