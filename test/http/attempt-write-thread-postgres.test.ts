import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AttemptWriteThread } from '../../src/commands/attempt-write-thread.js';
import { createAttemptWriter } from '../../src/commands/create-attempt-writer.js';
import { assertStoresAGroupOnce, writeThreadFixture } from '../helpers/write-thread-fixture.js';

/**
 * On PostgreSQL too the group commits run on a thread of their own, with a pool of its own
 * (one connection per lane), so their statements' round trips do not queue behind the socket
 * traffic on the event loop (docs/performance.md). These tests drive the thread directly.
 */
describe('attempt writer thread on postgres', () => {
  const f = writeThreadFixture('postgres');

  it('stores groups on its own connections, several at once, and acknowledges a resend without applying it twice', async () => {
    const thread = new AttemptWriteThread({ kind: 'postgres', url: f.t.store.databaseUrl as string, connections: 2 });
    try {
      await assertStoresAGroupOnce(f, thread);
    } finally {
      await thread.close();
    }
  });

  it('refuses the groups it had when its thread dies, and starts a new thread for the next group', async () => {
    const thread = new AttemptWriteThread({ kind: 'postgres', url: f.t.store.databaseUrl as string, connections: 2 });
    try {
      const settled = thread.save([f.batch(2, [{ k: 'cmi.location', v: 'q2' }])], f.t.clock.now + 2).then(
        () => 'acked',
        (error: unknown) => (error instanceof Error ? error.name : 'unknown'),
      );
      await thread.terminate();
      assert.equal(await settled, 'AttemptWriteError');
      assert.equal(await f.storedValue('cmi.location'), 'q1', 'nothing of the refused group was stored');
      assert.deepEqual(await thread.save([f.batch(2, [{ k: 'cmi.location', v: 'q2' }])], f.t.clock.now + 2), [{ status: 'acked', seq: 2, ended: false }]);
      assert.equal(await f.storedValue('cmi.location'), 'q2');
    } finally {
      await thread.close();
    }
  });

  it("the writer a store gets runs its lanes' groups on the thread, each attempt's batches in order", async () => {
    const writer = createAttemptWriter(f.t.store, () => f.t.clock.now + 20);
    try {
      let seq = 1000;
      const batches = Array.from({ length: 3000 }, (_, i) => f.batch(seq++, [{ k: 'cmi.suspend_data', v: `w${i}`.repeat(300) }, { k: 'cmi.location', v: `w${i}` }]));
      const outcomes = await writer.submitAll(batches);
      assert.equal(outcomes.filter((o) => o.status === 'acked').length, 3000);
      assert.equal(await f.storedValue('cmi.location'), 'w2999');
      assert.ok(writer.transactions >= 1);
      const count = await f.t.store.db.selectFrom('attempt_history').select((eb) => eb.fn.countAll<number>().as('n')).where('attempt_id', '=', f.attemptId).executeTakeFirstOrThrow();
      assert.equal(Number(count.n), 3002);
    } finally {
      await writer.close();
    }
  });
});
