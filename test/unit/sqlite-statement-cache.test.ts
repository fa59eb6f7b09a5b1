import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import SQLite from 'better-sqlite3';
import { type Generated, Kysely, SqliteDialect, sql } from 'kysely';
import { withStatementCache } from '../../src/store/sqlite-statement-cache.js';

interface Db {
  items: { id: Generated<number>; name: string };
}

function open(capacity?: number): { raw: SQLite.Database; db: Kysely<Db>; prepares: () => number } {
  const raw = new SQLite(':memory:');
  raw.exec('create table items (id integer primary key, name text not null)');
  let count = 0;
  const prepare = raw.prepare.bind(raw);
  // Count real prepares underneath the cache.
  raw.prepare = ((source: string) => {
    count++;
    return prepare(source);
  }) as typeof raw.prepare;
  const db = new Kysely<Db>({ dialect: new SqliteDialect({ database: withStatementCache(raw, capacity) }) });
  return { raw, db, prepares: () => count };
}

describe('SQLite statement cache', () => {
  it('prepares a query text once and binds fresh parameters on each use', async () => {
    const { db, prepares } = open();
    for (const name of ['a', 'b', 'c']) await db.insertInto('items').values({ name }).execute();
    const names: string[] = [];
    for (const id of [1, 2, 3]) names.push((await db.selectFrom('items').select('name').where('id', '=', id).executeTakeFirstOrThrow()).name);
    assert.deepEqual(names, ['a', 'b', 'c']);
    assert.equal(prepares(), 2);
    await db.destroy();
  });

  it('hands out a fresh statement while the cached one is still being iterated', () => {
    const raw = new SQLite(':memory:');
    raw.exec("create table items (id integer primary key, name text not null); insert into items (name) values ('a'), ('b')");
    const cache = withStatementCache(raw);
    const text = 'select name from items order by id';
    const first = cache.prepare(text);
    const iterator = first.iterate([]);
    assert.deepEqual(iterator.next().value, { name: 'a' });
    // Same text while the first is mid-iteration: a cached hand-out would throw "busy".
    const second = cache.prepare(text);
    assert.notEqual(second, first);
    assert.equal(second.all([]).length, 2);
    iterator.return?.();
    assert.equal(cache.prepare(text), first);
    cache.close();
  });

  it('keeps at most `capacity` statements, dropping the least recently used', async () => {
    const { db, prepares } = open(2);
    const run = (n: number) => sql`select ${sql.lit(n)} as n`.execute(db);
    await run(1);
    await run(2);
    await run(1); // 1 is now the most recent
    await run(3); // evicts 2
    await run(1);
    assert.equal(prepares(), 3);
    await run(2);
    assert.equal(prepares(), 4);
    await db.destroy();
  });
});
