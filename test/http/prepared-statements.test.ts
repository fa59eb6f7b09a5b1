import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CompiledQuery, sql } from 'kysely';
import { prepareOnPostgres } from '../../src/store/prepared-statements.js';
import { createTestStore, databaseKinds, type TestStore } from '../helpers/test-store.js';

/**
 * Registered statements run as named prepared statements on PostgreSQL (and as ordinary
 * statements on SQLite, whose connection keeps them prepared anyway). A migration that adds a
 * column to a table the statement selects every column of must not break a running node.
 */
for (const kind of databaseKinds()) {
  describe(`prepared statements on ${kind}`, () => {
    let store: TestStore;
    before(async () => {
      store = await createTestStore(kind);
      await sql`create table prepared_probe (id integer primary key, a text)`.execute(store.db);
      await sql`insert into prepared_probe (id, a) values (1, 'one'), (2, 'two')`.execute(store.db);
    });
    after(async () => store.close());

    const text = kind === 'postgres' ? 'select * from prepared_probe where id = $1' : 'select * from prepared_probe where id = ?';

    it('runs a registered statement with its arguments, and keeps working after the table gains a column', async () => {
      prepareOnPostgres(text);
      await store.db.connection().execute(async (connection) => {
        const first = await connection.executeQuery(CompiledQuery.raw(text, [1]));
        assert.deepEqual(first.rows, [{ id: 1, a: 'one' }]);
        const second = await connection.executeQuery(CompiledQuery.raw(text, [2]));
        assert.deepEqual(second.rows, [{ id: 2, a: 'two' }]);
        if (kind === 'postgres') {
          const named = await sql<{ name: string }>`select name from pg_prepared_statements where statement = ${text}`.execute(connection);
          assert.equal(named.rows.length, 1, 'prepared once on this connection, under its name');
        }
        await sql`alter table prepared_probe add column b text`.execute(connection);
        const changed = await connection.executeQuery(CompiledQuery.raw(text, [1]));
        assert.deepEqual(changed.rows, [{ id: 1, a: 'one', b: null }]);
        const again = await connection.executeQuery(CompiledQuery.raw(text, [2]));
        assert.deepEqual(again.rows, [{ id: 2, a: 'two', b: null }]);
      });
    });
  });
}
