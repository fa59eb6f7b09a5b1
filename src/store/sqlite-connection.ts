import SQLite from 'better-sqlite3';
import { CompiledQuery, type DatabaseConnection, type Driver, Kysely, SqliteDialect } from 'kysely';
import type { Database } from './schema.js';
import { BACKSTOP_WAL_PAGES } from './sqlite-checkpointer.js';
import { withStatementCache } from './sqlite-statement-cache.js';

/** A connection's page cache. */
const PAGE_CACHE_KIB = 64 * 1024;

/**
 * Opens one connection to the SQLite file with the settings every connection of ours uses:
 * the serving connection on the event loop and the attempt writer's on its worker thread.
 */
export function openSqliteConnection(file: string): SQLite.Database {
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
  return database;
}

/**
 * SQLite dialect whose transactions start with BEGIN IMMEDIATE. Two connections write to the
 * file (the serving one and the attempt writer's thread). A deferred transaction that read
 * first and then writes fails at once with SQLITE_BUSY_SNAPSHOT when the other connection
 * committed in between, without waiting; an immediate one takes the write lock up front, so
 * it waits (busy_timeout) for the other's commit instead and then sees it.
 */
class ImmediateSqliteDialect extends SqliteDialect {
  override createDriver(): Driver {
    const driver = super.createDriver();
    driver.beginTransaction = async (connection: DatabaseConnection): Promise<void> => {
      await connection.executeQuery(CompiledQuery.raw('begin immediate'));
    };
    return driver;
  }
}

/** Kysely over one SQLite connection, statements kept prepared, transactions immediate. */
export function sqliteKysely(database: SQLite.Database): Kysely<Database> {
  return new Kysely<Database>({ dialect: new ImmediateSqliteDialect({ database: withStatementCache(database) }) });
}
