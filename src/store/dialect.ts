import { SqliteAdapter } from 'kysely';

/**
 * Whether a database handle (a Kysely instance or a transaction of any schema) is SQLite. The
 * few places where the two databases need different SQL (row locks, planner settings) ask here.
 */
export function isSqlite(db: { getExecutor(): { readonly adapter: unknown } }): boolean {
  return db.getExecutor().adapter instanceof SqliteAdapter;
}
