import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AttemptWriteThread } from '../../src/commands/attempt-write-thread.js';
import { createAttemptWriter } from '../../src/commands/create-attempt-writer.js';
import type { IncomingBatch } from '../../src/commands/save-attempt-batches.js';
import { AttemptDriver } from '../helpers/graded-launch.js';
import { fixturePackage, launchAs, newConsumer, uploadAs } from '../helpers/launch.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

/**
 * On PostgreSQL too the group commits run on a thread of their own, with a pool of its own
 * (one connection per lane), so their statements' round trips do not queue behind the socket
 * traffic on the event loop (docs/performance.md). These tests drive the thread directly.
 */
describe('attempt writer thread on postgres', () => {
  let t: TestApp;
  let attemptId = 0;
  let sessionId = '';
  let url = '';
  before(async () => {
    t = await createTestApp('postgres');
    url = t.store.databaseUrl as string;
    const lms = await newConsumer(t);
    const teacher = await launchAs(t, lms, { userId: 'teacher', role: 'Instructor' });
    assert.equal((await uploadAs(t, teacher, fixturePackage('RuntimeBasicCalls_SCORM20043rdEdition.zip'))).statusCode, 201);
    ({ attemptId, sessionId } = await AttemptDriver.start(t, await launchAs(t, lms, { userId: 'alice', role: 'Learner' })));
  });
  after(async () => t.close());

  const batch = (seq: number, elements: Array<{ k: string; v: string }>): IncomingBatch => ({
    attemptId,
    sessionId,
    seq,
    elements: elements.map((e) => ({ ...e, t: null })),
    terminate: false,
    writerRole: 'student',
  });
  const storedValue = async (key: string): Promise<string | undefined> =>
    (await t.store.db.selectFrom('attempt_values').select('value').where('attempt_id', '=', attemptId).where('key', '=', key).executeTakeFirst())?.value;

  it('stores groups on its own connections, several at once, and acknowledges a resend without applying it twice', async () => {
    const thread = new AttemptWriteThread({ kind: 'postgres', url, connections: 2 });
    try {
      const first = await thread.save([batch(1, [{ k: 'cmi.score.raw', v: '3' }, { k: 'cmi.score.max', v: '4' }, { k: 'cmi.location', v: 'q1' }])], t.clock.now);
      assert.deepEqual(first, [{ status: 'acked', seq: 1, ended: false }]);
      const again = await thread.save([batch(1, [{ k: 'cmi.score.raw', v: '3' }, { k: 'cmi.score.max', v: '4' }, { k: 'cmi.location', v: 'q1' }])], t.clock.now);
      assert.deepEqual(again, [{ status: 'acked', seq: 1, ended: false }]);
      assert.equal(await storedValue('cmi.location'), 'q1');
      const row = await t.store.db.selectFrom('attempts').select(['element_count', 'score_raw', 'score_scaled']).where('id', '=', attemptId).executeTakeFirstOrThrow();
      assert.equal(Number(row.element_count), 3);
      assert.equal(row.score_raw, 3);
      assert.equal(row.score_scaled, 0.75);
    } finally {
      await thread.close();
    }
  });

  it('refuses the groups it had when its thread dies, and starts a new thread for the next group', async () => {
    const thread = new AttemptWriteThread({ kind: 'postgres', url, connections: 2 });
    try {
      const settled = thread.save([batch(2, [{ k: 'cmi.location', v: 'q2' }])], t.clock.now + 2).then(
        () => 'acked',
        (error: unknown) => (error instanceof Error ? error.name : 'unknown'),
      );
      await thread.terminate();
      assert.equal(await settled, 'AttemptWriteError');
      assert.equal(await storedValue('cmi.location'), 'q1', 'nothing of the refused group was stored');
      assert.deepEqual(await thread.save([batch(2, [{ k: 'cmi.location', v: 'q2' }])], t.clock.now + 2), [{ status: 'acked', seq: 2, ended: false }]);
      assert.equal(await storedValue('cmi.location'), 'q2');
    } finally {
      await thread.close();
    }
  });

  it("the writer a store gets runs its lanes' groups on the thread, each attempt's batches in order", async () => {
    const writer = createAttemptWriter(t.store, () => t.clock.now + 20);
    try {
      let seq = 1000;
      const batches = Array.from({ length: 3000 }, (_, i) => batch(seq++, [{ k: 'cmi.suspend_data', v: `w${i}`.repeat(300) }, { k: 'cmi.location', v: `w${i}` }]));
      const outcomes = await writer.submitAll(batches);
      assert.equal(outcomes.filter((o) => o.status === 'acked').length, 3000);
      assert.equal(await storedValue('cmi.location'), 'w2999');
      assert.ok(writer.transactions >= 1);
      const count = await t.store.db.selectFrom('attempt_history').select((eb) => eb.fn.countAll<number>().as('n')).where('attempt_id', '=', attemptId).executeTakeFirstOrThrow();
      assert.equal(Number(count.n), 3002);
    } finally {
      await writer.close();
    }
  });
});
