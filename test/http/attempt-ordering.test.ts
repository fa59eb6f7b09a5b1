import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { bearer, fixturePackage, launchAs, newConsumer, uploadAs } from '../helpers/launch.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';
import { databaseKinds } from '../helpers/test-store.js';
import { readHistory } from '../../src/store/repositories/attempt-history.js';

/** Late and resent batches never overwrite newer values (docs/attempt-protocol.md). */
for (const kind of databaseKinds()) {
  describe(`attempt value ordering on ${kind}`, () => {
    let t: TestApp;
    let alice: string;
    before(async () => {
      t = await createTestApp(kind);
      const lms = await newConsumer(t);
      const instructor = await launchAs(t, lms, { userId: 'teacher', role: 'Instructor' });
      alice = await launchAs(t, lms, { userId: 'alice', role: 'Learner' });
      assert.equal((await uploadAs(t, instructor, fixturePackage('RuntimeBasicCalls_SCORM20043rdEdition.zip'))).statusCode, 201);
    });
    after(async () => t.close());

    async function newAttempt(): Promise<number> {
      // A student may have one open attempt at a time: each case starts from a fresh one, so close the last.
      await t.store.db.updateTable('attempts').set({ ended_at: t.clock.now }).where('ended_at', 'is', null).execute();
      const res = await t.app.inject({ method: 'POST', url: '/api/attempts', headers: bearer(alice) });
      return (res.json() as { attempt: { id: number } }).attempt.id;
    }
    async function open(id: number): Promise<string> {
      const res = await t.app.inject({ method: 'GET', url: `/api/attempts/${id}/launch`, headers: bearer(alice) });
      return (res.json() as { sessionId: string }).sessionId;
    }
    async function send(id: number, sessionId: string, seq: number, elements: Array<{ k: string; v: string }>, terminate = false) {
      const res = await t.app.inject({ method: 'POST', url: `/api/attempts/${id}/batches`, headers: bearer(alice), payload: { sessionId, batches: [{ seq, elements, terminate }] } });
      return res.json() as { acked: number[]; refused: Array<{ code: string }> };
    }
    async function value(id: number, key: string): Promise<string | undefined> {
      const row = await t.store.db.selectFrom('attempt_values').select('value').where('attempt_id', '=', id).where('key', '=', key).executeTakeFirst();
      return row?.value;
    }

    it('keeps the later batch of a session when an earlier one arrives late', async () => {
      const id = await newAttempt();
      const s = await open(id);
      await send(id, s, 2, [{ k: 'cmi.location', v: 'second' }, { k: 'cmi.session_time', v: 'PT20S' }]);
      await send(id, s, 1, [{ k: 'cmi.location', v: 'first' }, { k: 'cmi.session_time', v: 'PT10S' }]);
      assert.equal(await value(id, 'cmi.location'), 'second');
      const attempt = await t.store.db.selectFrom('attempts').select('time_spent_ms').where('id', '=', id).executeTakeFirstOrThrow();
      assert.equal(attempt.time_spent_ms, 20_000, 'a late, shorter session_time does not shrink time spent');
      const history = (await readHistory(t.store.db, id)).filter((r) => r.key === 'cmi.location');
      assert.equal(history.length, 2, 'both writes stay in the history');
    });

    it("keeps a newer window's value over a late batch from the window it replaced", async () => {
      const id = await newAttempt();
      const older = await open(id);
      t.clock.now += 1000;
      const newer = await open(id);
      await send(id, newer, 1, [{ k: 'cmi.suspend_data', v: 'newer window' }]);
      await send(id, older, 7, [{ k: 'cmi.suspend_data', v: 'older window' }]);
      assert.equal(await value(id, 'cmi.suspend_data'), 'newer window');
    });

    it('ranks a window opened after the writer has seen (and remembered) the older one', async () => {
      const id = await newAttempt();
      const older = await open(id);
      await send(id, older, 1, [{ k: 'cmi.location', v: 'older 1' }]);
      t.clock.now += 1000;
      const newer = await open(id);
      await send(id, newer, 1, [{ k: 'cmi.location', v: 'newer' }]);
      await send(id, older, 2, [{ k: 'cmi.location', v: 'older 2, late' }]);
      assert.equal(await value(id, 'cmi.location'), 'newer');
      await send(id, newer, 2, [{ k: 'cmi.location', v: 'newer again' }]);
      assert.equal(await value(id, 'cmi.location'), 'newer again');
    });

    it('one batch that replaces a value, adds one and is older than another: each key by its own rule', async () => {
      const id = await newAttempt();
      const older = await open(id);
      t.clock.now += 1000;
      const newer = await open(id);
      await send(id, older, 1, [{ k: 'cmi.location', v: 'old 1' }, { k: 'cmi.exit', v: 'old 1' }]);
      await send(id, newer, 1, [{ k: 'cmi.location', v: 'new 1' }]);
      // cmi.exit is replaced (it was the older window's own), cmi.progress_measure is new, and
      // cmi.location keeps the newer window's value.
      await send(id, older, 2, [{ k: 'cmi.location', v: 'old 2' }, { k: 'cmi.exit', v: 'old 2' }, { k: 'cmi.progress_measure', v: '0.5' }]);
      assert.deepEqual([await value(id, 'cmi.location'), await value(id, 'cmi.exit'), await value(id, 'cmi.progress_measure')], ['new 1', 'old 2', '0.5']);
      // Every key already stored and older: all replaced.
      await send(id, newer, 2, [{ k: 'cmi.location', v: 'new 2' }, { k: 'cmi.exit', v: 'new 2' }, { k: 'cmi.progress_measure', v: '0.75' }]);
      assert.deepEqual([await value(id, 'cmi.location'), await value(id, 'cmi.exit'), await value(id, 'cmi.progress_measure')], ['new 2', 'new 2', '0.75']);
    });

    it('takes batches the ending window sent before its terminate batch, and refuses other windows', async () => {
      const id = await newAttempt();
      const first = await open(id);
      t.clock.now += 1000;
      const s = await open(id);
      const end = await send(id, s, 3, [{ k: 'cmi.completion_status', v: 'completed' }], true);
      assert.deepEqual(end.acked, [3]);
      const late = await send(id, s, 2, [{ k: 'cmi.interactions.0.learner_response', v: '42' }]);
      assert.deepEqual(late.acked, [2], 'the answer sent before terminate is kept');
      assert.equal(await value(id, 'cmi.interactions.0.learner_response'), '42');
      const other = await send(id, first, 9, [{ k: 'cmi.location', v: 'too late' }]);
      assert.equal(other.refused[0]?.code, 'attempt_ended');
      assert.equal(await value(id, 'cmi.completion_status'), 'completed');
    });

    // A batch may name a session the server has no row for (a client that made one up, or a
    // row lost with a database restored from a backup): the writer records the session with
    // its first batch, and the rules that use the row still hold.
    it('records a session it has no row for, so its late batch still loses to its later one', async () => {
      const id = await newAttempt();
      await open(id);
      const forgotten = 'window-whose-opening-was-lost';
      t.clock.now += 1000;
      await send(id, forgotten, 2, [{ k: 'cmi.location', v: 'second' }]);
      const session = await t.store.db.selectFrom('attempt_sessions').select('opened_at').where('attempt_id', '=', id).where('session_id', '=', forgotten).executeTakeFirst();
      assert.equal(session?.opened_at, t.clock.now, 'recorded as opened when its first batch arrived');
      t.clock.now += 1000;
      await send(id, forgotten, 1, [{ k: 'cmi.location', v: 'first' }]);
      assert.equal(await value(id, 'cmi.location'), 'second');
    });

    it('makes the window that ended the attempt its current session, so its late batches are kept', async () => {
      const id = await newAttempt();
      const opened = await open(id);
      const forgotten = 'ending-window-whose-opening-was-lost';
      const end = await send(id, forgotten, 3, [{ k: 'cmi.completion_status', v: 'completed' }], true);
      assert.deepEqual(end.acked, [3]);
      const row = await t.store.db.selectFrom('attempts').select(['ended_at', 'current_session_id']).where('id', '=', id).executeTakeFirstOrThrow();
      assert.notEqual(row.ended_at, null);
      assert.equal(row.current_session_id, forgotten);
      assert.deepEqual((await send(id, forgotten, 2, [{ k: 'cmi.location', v: 'sent before the end' }])).acked, [2]);
      assert.equal((await send(id, opened, 4, [{ k: 'cmi.location', v: 'too late' }])).refused[0]?.code, 'attempt_ended');
      assert.equal(await value(id, 'cmi.location'), 'sent before the end');
    });
  });
}

describe('sessions opened in the same millisecond', () => {
  for (const kind of databaseKinds()) {
    it(`still rank the later one higher on ${kind}`, async () => {
      const t = await createTestApp(kind);
      try {
        const lms = await newConsumer(t);
        const instructor = await launchAs(t, lms, { userId: 'teacher', role: 'Instructor' });
        const student = await launchAs(t, lms, { userId: 'sam', role: 'Learner' });
        await uploadAs(t, instructor, fixturePackage('RuntimeBasicCalls_SCORM20043rdEdition.zip'));
        const id = ((await t.app.inject({ method: 'POST', url: '/api/attempts', headers: bearer(student) })).json() as { attempt: { id: number } }).attempt.id;
        const open = async () => ((await t.app.inject({ method: 'GET', url: `/api/attempts/${id}/launch`, headers: bearer(student) })).json() as { sessionId: string }).sessionId;
        const send = (sessionId: string, seq: number, v: string) =>
          t.app.inject({ method: 'POST', url: `/api/attempts/${id}/batches`, headers: bearer(student), payload: { sessionId, batches: [{ seq, elements: [{ k: 'cmi.location', v }] }] } });
        const first = await open();
        const second = await open(); // the test clock stands still: same millisecond
        await send(second, 1, 'from the second window');
        await send(first, 5, 'from the first window');
        const row = await t.store.db.selectFrom('attempt_values').select('value').where('attempt_id', '=', id).where('key', '=', 'cmi.location').executeTakeFirstOrThrow();
        assert.equal(row.value, 'from the second window');
      } finally {
        await t.close();
      }
    });
  }
});
