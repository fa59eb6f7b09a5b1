import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { AttemptWriteThread } from '../../src/commands/attempt-write-thread.js';
import { createAttemptWriter } from '../../src/commands/create-attempt-writer.js';
import { assertStoresAGroupOnce, writeThreadFixture } from '../helpers/write-thread-fixture.js';

/**
 * On SQLite the group commits run on a thread of their own, with a second connection to the
 * file, taking turns with the serving connection at the store's write gate (PostgreSQL's
 * thread: attempt-write-thread-postgres.test.ts). These tests drive the thread directly,
 * beside the app's own connection.
 */
describe('attempt writer thread on sqlite', () => {
  const f = writeThreadFixture('sqlite');

  it('stores a group on its own connection, derives the state, and acknowledges a resend without applying it twice', async () => {
    const thread = new AttemptWriteThread(f.t.store.sqliteFile as string);
    try {
      await assertStoresAGroupOnce(f, thread);
    } finally {
      await thread.close();
    }
  });

  it('waits for a write transaction of the serving connection instead of failing, and sees its write', async () => {
    const thread = new AttemptWriteThread(f.t.store.sqliteFile as string);
    try {
      thread.warm();
      let saved: Promise<unknown> | null = null;
      await f.t.store.db.transaction().execute(async (trx) => {
        // The serving connection holds the write lock (BEGIN IMMEDIATE) while the thread is asked to write.
        await trx.updateTable('attempts').set({ updated_at: f.t.clock.now + 1 }).where('id', '=', f.attemptId).execute();
        saved = thread.save([f.batch(2, [{ k: 'cmi.location', v: 'q2' }])], f.t.clock.now + 2);
        await new Promise((r) => setTimeout(r, 300));
        // Still ours: the thread has not written past the lock.
        assert.equal(await f.storedValue('cmi.location', trx), 'q1');
      });
      assert.deepEqual(await saved, [{ status: 'acked', seq: 2, ended: false }]);
      assert.equal(await f.storedValue('cmi.location'), 'q2');
      const row = await f.t.store.db.selectFrom('attempts').select(['updated_at', 'element_count']).where('id', '=', f.attemptId).executeTakeFirstOrThrow();
      assert.equal(Number(row.updated_at), f.t.clock.now + 2, "the thread's update came after the serving connection's");
      assert.equal(Number(row.element_count), 4);
    } finally {
      await thread.close();
    }
  });

  it('refuses the groups it had when its thread dies, and starts a new thread for the next group', async () => {
    const thread = new AttemptWriteThread(f.t.store.sqliteFile as string);
    try {
      // The thread is still starting when it is stopped: the group it was given is refused, never half-stored.
      const settled = thread.save([f.batch(3, [{ k: 'cmi.location', v: 'q3' }])], f.t.clock.now + 3).then(
        () => 'acked',
        (error: unknown) => (error instanceof Error ? error.name : 'unknown'),
      );
      await thread.terminate();
      assert.equal(await settled, 'AttemptWriteError');
      assert.equal(await f.storedValue('cmi.location'), 'q2', 'nothing of the refused group was stored');
      // The client sends it again: a new thread takes it.
      assert.deepEqual(await thread.save([f.batch(3, [{ k: 'cmi.location', v: 'q3' }])], f.t.clock.now + 3), [{ status: 'acked', seq: 3, ended: false }]);
      assert.equal(await f.storedValue('cmi.location'), 'q3');
    } finally {
      await thread.close();
    }
  });

  it("takes turns with the serving connection's writes at the gate, so neither ever meets the other's lock", async () => {
    const gate = f.t.store.sqliteGate;
    assert.ok(gate, 'a SQLite store has a write gate');
    const thread = new AttemptWriteThread(f.t.store.sqliteFile as string, gate);
    // The serving connection gives up at once on a held lock: only the gate can keep it out of one.
    await sql`pragma busy_timeout = 0`.execute(f.t.store.db);
    try {
      let seq = 10;
      // The thread up and running first (it takes a moment to start), so the writes below overlap.
      await thread.save([f.batch(seq++, [{ k: 'cmi.location', v: 'start' }])], f.t.clock.now + 10);
      const groups = Array.from({ length: 20 }, (_, g) =>
        thread.save(Array.from({ length: 200 }, (_, i) => f.batch(seq++, [{ k: 'cmi.suspend_data', v: `g${g}b${i}`.repeat(100) }, { k: 'cmi.location', v: `g${g}` }])), f.t.clock.now + 10),
      );
      const serving = Array.from({ length: 40 }, (_, i) =>
        i % 2 === 0
          ? f.t.store.db.transaction().execute(async (trx) => {
              await trx.updateTable('attempts').set({ updated_at: f.t.clock.now + 100 + i }).where('id', '=', f.attemptId).execute();
              await trx.selectFrom('attempts').select('id').where('id', '=', f.attemptId).executeTakeFirstOrThrow();
            })
          : f.t.store.db.updateTable('attempts').set({ updated_at: f.t.clock.now + 100 + i }).where('id', '=', f.attemptId).execute(),
      );
      const outcomes = await Promise.all(groups);
      await Promise.all(serving);
      assert.equal(outcomes.flat().filter((o) => o.status === 'acked').length, 4000);
      assert.equal(await f.storedValue('cmi.location'), 'g19');
      assert.equal(gate.busy, false, 'every turn ended');
    } finally {
      await sql`pragma busy_timeout = 5000`.execute(f.t.store.db);
      await thread.close();
    }
  });

  it("the writer a store gets is its thread behind the store's gate", async () => {
    const writer = createAttemptWriter(f.t.store, () => f.t.clock.now + 20);
    await sql`pragma busy_timeout = 0`.execute(f.t.store.db);
    try {
      let seq = 1000;
      await writer.submit(f.batch(seq++, [{ k: 'cmi.location', v: 'warm' }]));
      const batches = Array.from({ length: 4000 }, (_, i) => f.batch(seq++, [{ k: 'cmi.suspend_data', v: `w${i}`.repeat(100) }, { k: 'cmi.location', v: `w${i}` }]));
      const saved = writer.submitAll(batches);
      // Without the gate these would meet the thread's lock and fail at once (busy_timeout 0).
      const serving = Array.from({ length: 40 }, (_, i) => f.t.store.db.updateTable('attempts').set({ updated_at: f.t.clock.now + 200 + i }).where('id', '=', f.attemptId).execute());
      const outcomes = await saved;
      await Promise.all(serving);
      assert.equal(outcomes.filter((o) => o.status === 'acked').length, 4000);
      assert.equal(await f.storedValue('cmi.location'), 'w3999');
    } finally {
      await sql`pragma busy_timeout = 5000`.execute(f.t.store.db);
      await writer.close();
    }
  });
});
