import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import SQLite from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import { CompiledInsert, CompiledShapes } from '../../src/store/repositories/compiled-shapes.js';
import type { Database } from '../../src/store/schema.js';

interface Row {
  attempt_id: number;
  key: string;
  value: string;
  updated_at: number;
  session_rank: number;
  seq: number;
}

const row = (i: number, extra: Partial<Row> = {}): Row => ({ attempt_id: i, key: `k${i}`, value: `v${i}`, updated_at: 5, session_rank: i * 10, seq: i, ...extra });

function sqliteDb(): Kysely<Database> {
  return new Kysely<Database>({ dialect: new SqliteDialect({ database: new SQLite(':memory:') }) });
}

// Compiling needs no connection: the pool is never used.
function postgresDb(): Kysely<Database> {
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool: new pg.Pool({ max: 1 }) }) });
}

const insert = () =>
  new CompiledInsert<Row>(['attempt_id', 'key', 'value', 'updated_at', 'session_rank', 'seq'], (db, rows) =>
    (db as unknown as Kysely<Database>).insertInto('attempt_values').values(rows),
  );

describe('compiled statement shapes', () => {
  it('reuses the text Kysely built for the same row count, with the new values bound in its order', () => {
    const db = sqliteDb();
    const shapes = insert();
    shapes.compile(db, [row(1), row(2)]);
    const reused = shapes.compile(db, [row(3), row(4, { key: 'other' })]);
    const fresh = db.insertInto('attempt_values').values([row(3), row(4, { key: 'other' })]).compile();
    assert.equal(reused.sql, fresh.sql);
    assert.deepEqual(reused.parameters, fresh.parameters);
  });

  it('binds by column name, whatever order a row lists its keys in', () => {
    const db = sqliteDb();
    const shapes = insert();
    shapes.compile(db, [row(1)]);
    const { seq, attempt_id, ...rest } = row(2);
    const reordered = { seq, ...rest, attempt_id } as Row;
    const reused = shapes.compile(db, [reordered]);
    assert.deepEqual(reused.parameters, db.insertInto('attempt_values').values([row(2)]).compile().parameters);
  });

  it('goes through Kysely for a row with a missing, undefined or extra column', () => {
    const db = sqliteDb();
    const shapes = insert();
    shapes.compile(db, [row(1)]);
    const odd = { ...row(2), id: 99 } as Row;
    const compiled = shapes.compile(db, [odd]);
    assert.match(compiled.sql, /"id"/);
    assert.deepEqual(compiled.parameters, db.insertInto('attempt_values').values([odd]).compile().parameters);
    const undefinedTime = { ...row(3), updated_at: undefined } as unknown as Row;
    assert.doesNotMatch(shapes.compile(db, [undefinedTime]).sql, /"updated_at"/);
  });

  it('keeps one text per database dialect', () => {
    const shapes = insert();
    const lite = shapes.compile(sqliteDb(), [row(1)]);
    const postgres = shapes.compile(postgresDb(), [row(1)]);
    assert.match(lite.sql, /\?/);
    assert.match(postgres.sql, /\$1/);
  });

  it('never caches a shape whose parameters the caller got wrong', () => {
    const db = sqliteDb();
    const shapes = new CompiledShapes();
    const build = (id: number) => () => db.updateTable('attempts').set({ updated_at: 1 }).where('id', '=', id);
    // The caller claims the wrong order: Kysely binds [1, 7].
    assert.deepEqual(shapes.compile(db, 'u', [7, 1], build(7)).parameters, [1, 7]);
    assert.deepEqual(shapes.compile(db, 'u', [8, 1], build(8)).parameters, [1, 8]);
  });
});
