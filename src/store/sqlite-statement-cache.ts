import type SQLite from 'better-sqlite3';
import type { SqliteDatabase, SqliteStatement } from 'kysely';

/** Distinct SQL texts kept prepared. Our queries have a few dozen shapes; the cap only bounds odd ones (long IN lists). */
const DEFAULT_CAPACITY = 256;

/**
 * Kysely's SQLite driver prepares every query afresh: SQLite parses and plans the same
 * INSERT … ON CONFLICT text on every launch, which the launch benchmark measured at about a
 * third of the server's database CPU (docs/performance.md). Reusing the prepared statement
 * for the same SQL text removes that. Parameters are bound per call, so reuse cannot leak
 * values between queries, and SQLite re-prepares a statement by itself after a schema change.
 *
 * A statement still being iterated (a streamed query) cannot run again until it finishes,
 * so a busy one is never handed out: that caller gets a fresh, uncached statement.
 */
export interface CachedSqliteDatabase extends SqliteDatabase {
  /** Whether this SQL leaves the database unchanged (SQLite's own answer, from the prepared statement). */
  isReadonly(sql: string): boolean;
}

export function withStatementCache(database: SQLite.Database, capacity = DEFAULT_CAPACITY): CachedSqliteDatabase {
  const statements = new Map<string, SQLite.Statement>();
  const cache: CachedSqliteDatabase = {
    close: () => {
      statements.clear();
      database.close();
    },
    prepare(sql: string): SqliteStatement {
      const cached = statements.get(sql);
      if (cached) {
        if (cached.busy) return database.prepare(sql);
        // Map order is insertion order: re-inserting marks it most recently used.
        statements.delete(sql);
        statements.set(sql, cached);
        return cached;
      }
      const statement = database.prepare(sql);
      statements.set(sql, statement);
      if (statements.size > capacity) {
        const oldest = statements.keys().next();
        if (!oldest.done) statements.delete(oldest.value);
      }
      return statement;
    },
    isReadonly: (sql: string): boolean => (cache.prepare(sql) as SQLite.Statement).readonly,
  };
  return cache;
}
