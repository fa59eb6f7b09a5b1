import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { sql } from 'kysely';
import { createPostgresEventHub } from '../../src/store/event-hub.js';
import { type Store, openStore } from '../../src/store/database.js';
import { createEmptyDatabase, type EmptyDatabase } from '../helpers/test-store.js';

/**
 * PostgreSQL ends idle connections when it restarts, fails over or is told to: the store's pool
 * and the event hub's publisher must report it and carry on, not end the process with an
 * uncaught 'error' event (which node:test would report as a failure of this file).
 */
describe('losing idle PostgreSQL connections', () => {
  let empty: EmptyDatabase;
  let store: Store;
  const errors: Error[] = [];
  before(async () => {
    empty = await createEmptyDatabase('postgres');
    store = await openStore({ databaseUrl: empty.databaseUrl, dataDir: empty.dataDir, poolSize: 3, onConnectionError: (error) => errors.push(error) });
  });
  after(async () => {
    await store.close();
    await empty.drop();
  });

  /** Ends every other backend connected to this test's database, as an administrator would. */
  async function terminateOthers(): Promise<number> {
    const admin = new pg.Client({ connectionString: empty.databaseUrl ?? '' });
    await admin.connect();
    try {
      const result = await admin.query('select pg_terminate_backend(pid) as ended from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()');
      return result.rowCount ?? 0;
    } finally {
      await admin.end();
    }
  }

  async function until(check: () => boolean): Promise<void> {
    for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  }

  it("reports the store's lost idle connections and answers the next query on a new one", async () => {
    // Three idle connections in the pool.
    await Promise.all([1, 2, 3].map(() => sql`select pg_sleep(0.05)`.execute(store.db)));
    assert.ok((await terminateOthers()) >= 3);
    await until(() => errors.length >= 3);
    assert.ok(errors.length >= 3, `each lost connection was reported (${errors.length})`);
    assert.match(errors[0]?.message ?? '', /terminating connection/);
    const row = await sql<{ one: number }>`select 1 as one`.execute(store.db);
    assert.equal(row.rows[0]?.one, 1);
  });

  it("reports the event hub's lost connections instead of ending the process", async () => {
    const hubErrors: Error[] = [];
    const hub = await createPostgresEventHub(empty.databaseUrl ?? '', (error) => hubErrors.push(error));
    try {
      // The publisher's pool holds an idle connection once it has published.
      await hub.publish({ type: 'jobs-queued' });
      assert.ok((await terminateOthers()) >= 2);
      await until(() => hubErrors.length >= 2);
      assert.ok(hubErrors.length >= 2, `the listener's and the publisher's losses were reported (${hubErrors.length})`);
      await hub.publish({ type: 'jobs-queued' });
    } finally {
      await hub.close().catch(() => {});
    }
  });
});
