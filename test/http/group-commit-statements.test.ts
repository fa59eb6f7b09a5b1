import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { readValues, upsertValues, valueRow } from '../../src/store/repositories/attempt-data.js';
import { appendBatches, readHistoryBatches } from '../../src/store/repositories/attempt-history.js';
import { AttemptDriver } from '../helpers/graded-launch.js';
import { fixturePackage, launchAs, newConsumer, uploadAs } from '../helpers/launch.js';
import { databaseKinds } from '../helpers/test-store.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

/**
 * The group commit's statements come in a few fixed row counts (chunks.ts sizedChunks), and
 * on PostgreSQL those run as named prepared statements: prepared once per connection, then
 * only bound and run. A remainder under the smallest size runs as an ordinary statement.
 * PostgreSQL also compresses new history batches with lz4 (migration 0010) and compares the
 * keys those statements look up byte by byte (migration 0011).
 */
for (const kind of databaseKinds()) {
  describe(`group commit statements on ${kind}`, () => {
    let t: TestApp;
    let attemptId = 0;
    before(async () => {
      t = await createTestApp(kind);
      const lms = await newConsumer(t);
      const teacher = await launchAs(t, lms, { userId: 'teacher', role: 'Instructor' });
      assert.equal((await uploadAs(t, teacher, fixturePackage('RuntimeBasicCalls_SCORM20043rdEdition.zip'))).statusCode, 201);
      attemptId = (await AttemptDriver.start(t, await launchAs(t, lms, { userId: 'alice', role: 'Learner' }))).attemptId;
    });
    after(async () => t.close());

    it('stores every row of a group with statements of a fixed text: sized pieces on SQLite, one array statement on PostgreSQL', async () => {
      const batch = { attemptId, sessionId: 'session-a', seq: 1 };
      // SQLite: 1,000 + 250 + 50 + 23 rows.
      const rows = Array.from({ length: 1323 }, (_, i) => valueRow(batch, { k: `cmi.interactions.${i}.id`, v: `i${i}` }, t.clock.now, 1, true));
      await t.store.db.connection().execute(async (connection) => {
        await upsertValues(connection, rows);
        const history = Array.from({ length: 73 }, (_, i) => ({ attempt_id: attemptId, session_id: 'session-a', seq: i + 1, received_at: t.clock.now, elements: [{ k: 'cmi.location', v: `l${i}`, t: null }] }));
        const inserted = await appendBatches(connection, history);
        assert.equal(inserted.length, 73);
        if (kind === 'postgres') {
          // Whatever the row counts, one prepared statement per table, taking each column as an array.
          const names = await sql<{ statement: string }>`select statement from pg_prepared_statements where statement like 'insert into attempt_%'`.execute(connection);
          const tables = names.rows.map((r) => /^insert into (\w+)/.exec(r.statement)?.[1]).sort();
          assert.deepEqual(tables, ['attempt_history', 'attempt_values']);
          for (const r of names.rows) assert.match(r.statement, /from unnest\(\$1::bigint\[\], \$2::text\[\]/);
        }
      });
      const values = new Map((await readValues(t.store.db, attemptId)).map((v) => [v.key, v.value]));
      for (let i = 0; i < 1323; i++) assert.equal(values.get(`cmi.interactions.${i}.id`), `i${i}`);
      const stored = await readHistoryBatches(t.store.db, attemptId);
      assert.deepEqual(stored.map((b) => b.elements[0]?.v), Array.from({ length: 73 }, (_, i) => `l${i}`));
    });

    if (kind === 'postgres') {
      it('compares element keys, session ids and job keys byte by byte', async () => {
        const columns = await sql<{ col: string; collation: string | null }>`
          select c.relname || '.' || a.attname as col, co.collname as collation
          from pg_attribute a join pg_class c on c.oid = a.attrelid left join pg_collation co on co.oid = a.attcollation
          where (c.relname, a.attname) in (('attempt_values', 'key'), ('attempt_values', 'history_session_id'), ('attempt_history', 'session_id'),
            ('attempt_sessions', 'session_id'), ('attempts', 'current_session_id'), ('jobs', 'key'))
          order by 1`.execute(t.store.db);
        assert.deepEqual(
          columns.rows.map((r) => `${r.col} ${r.collation}`),
          ['attempt_history.session_id C', 'attempt_sessions.session_id C', 'attempt_values.history_session_id C', 'attempt_values.key C', 'attempts.current_session_id C', 'jobs.key C'],
        );
        // The index the value upsert probes follows the column.
        const index = await sql<{ collation: string }>`select co.collname as collation from pg_index i join pg_class c on c.oid = i.indexrelid
          join pg_collation co on co.oid = i.indcollation[1] where c.relname = 'attempt_values_pk'`.execute(t.store.db);
        assert.equal(index.rows[0]?.collation, 'C');
      });

      it('compresses history batches with lz4 when the server has it', async () => {
        const server = await sql<{ ok: boolean }>`select 'lz4' = any(enumvals) as ok from pg_settings where name = 'default_toast_compression'`.execute(t.store.db);
        const column = await sql<{ c: string }>`select attcompression as c from pg_attribute where attrelid = 'attempt_history'::regclass and attname = 'elements'`.execute(t.store.db);
        assert.equal(column.rows[0]?.c, server.rows[0]?.ok === true ? 'l' : '');
        const long = JSON.stringify({ answers: Array.from({ length: 200 }, (_, n) => ({ n, a: `x^${n}` })) });
        await appendBatches(t.store.db, [{ attempt_id: attemptId, session_id: 'session-b', seq: 1, received_at: t.clock.now, elements: [{ k: 'cmi.suspend_data', v: long, t: null }] }]);
        const method = await sql<{ m: string | null }>`select pg_column_compression(elements) as m from attempt_history where attempt_id = ${attemptId} and session_id = 'session-b'`.execute(t.store.db);
        assert.equal(method.rows[0]?.m, server.rows[0]?.ok === true ? 'lz4' : 'pglz');
      });
    }
  });
}
