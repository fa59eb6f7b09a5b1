import type { ColumnDefinitionBuilder, CreateTableBuilder, Kysely } from 'kysely';
import { isSqlite } from '../dialect.js';

/**
 * The few places where SQLite and PostgreSQL need different DDL. Migrations call these
 * so that one migration file serves both dialects.
 */
export { isSqlite };

/** An auto-incrementing 64-bit primary key. */
export function withId<T extends string>(db: Kysely<unknown>, table: CreateTableBuilder<T, never>): CreateTableBuilder<T, 'id'> {
  return isSqlite(db)
    ? table.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    : table.addColumn('id', 'bigserial', (c) => c.primaryKey());
}

/** A foreign key to `table.id` that is removed with its parent. */
export function reference(table: string) {
  return (c: ColumnDefinitionBuilder) => c.references(`${table}.id`).onDelete('cascade');
}
