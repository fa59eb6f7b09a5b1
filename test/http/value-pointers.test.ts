import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { bearer, fixturePackage, launchAs, newConsumer, uploadAs } from '../helpers/launch.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';
import { databaseKinds } from '../helpers/test-store.js';
import { readValues } from '../../src/store/repositories/attempt-data.js';
import { INLINE_VALUE_LIMIT, resolveValues } from '../../src/store/repositories/value-pointers.js';

const long = (tag: string): string => `${tag}:`.padEnd(INLINE_VALUE_LIMIT + 100, tag);

/** Long values are kept in the history only, and every read gives them back (migration 0009). */
for (const kind of databaseKinds()) {
  describe(`current values that point at the history on ${kind}`, () => {
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
      await t.store.db.updateTable('attempts').set({ ended_at: t.clock.now }).where('ended_at', 'is', null).execute();
      const res = await t.app.inject({ method: 'POST', url: '/api/attempts', headers: bearer(alice) });
      return (res.json() as { attempt: { id: number } }).attempt.id;
    }
    /** Opens a window; returns its session id and the values the launch gave it. */
    async function open(id: number): Promise<{ sessionId: string; values: Record<string, string> }> {
      t.clock.now += 1000;
      const res = await t.app.inject({ method: 'GET', url: `/api/attempts/${id}/launch`, headers: bearer(alice) });
      assert.equal(res.statusCode, 200, res.body);
      return res.json() as { sessionId: string; values: Record<string, string> };
    }
    async function send(id: number, sessionId: string, seq: number, elements: Array<{ k: string; v: string }>): Promise<void> {
      const res = await t.app.inject({ method: 'POST', url: `/api/attempts/${id}/batches`, headers: bearer(alice), payload: { sessionId, batches: [{ seq, elements, terminate: false }] } });
      assert.deepEqual((res.json() as { acked: number[] }).acked, [seq]);
    }
    async function row(id: number, key: string) {
      return t.store.db.selectFrom('attempt_values').select(['value', 'history_session_id', 'seq']).where('attempt_id', '=', id).where('key', '=', key).executeTakeFirstOrThrow();
    }
    async function values(id: number): Promise<Record<string, string>> {
      return Object.fromEntries((await readValues(t.store.db, id)).map((r) => [r.key, r.value]));
    }

    it('keeps a long value in its history batch only, and a resume gives it back', async () => {
      const id = await newAttempt();
      const { sessionId } = await open(id);
      // The same key twice in one batch: the later write is the value.
      await send(id, sessionId, 1, [
        { k: 'cmi.suspend_data', v: long('a') },
        { k: 'cmi.location', v: 'p1' },
        { k: 'cmi.suspend_data', v: long('b') },
        { k: 'cmi.interactions.0.learner_response', v: long('c') },
      ]);
      assert.deepEqual(await row(id, 'cmi.suspend_data'), { value: '', history_session_id: sessionId, seq: 1 });
      assert.deepEqual(await row(id, 'cmi.location'), { value: 'p1', history_session_id: null, seq: 1 }, 'short values stay inline');
      const expected = { 'cmi.suspend_data': long('b'), 'cmi.location': 'p1', 'cmi.interactions.0.learner_response': long('c') };
      assert.deepEqual(await values(id), expected);
      assert.deepEqual((await open(id)).values, expected, 'the launch reads them from the history');
    });

    it('a later short value replaces the pointer, and a later long one points at its own batch', async () => {
      const id = await newAttempt();
      const { sessionId } = await open(id);
      await send(id, sessionId, 1, [{ k: 'cmi.suspend_data', v: long('a') }]);
      await send(id, sessionId, 2, [{ k: 'cmi.suspend_data', v: 'short' }]);
      assert.deepEqual(await row(id, 'cmi.suspend_data'), { value: 'short', history_session_id: null, seq: 2 });
      await send(id, sessionId, 3, [{ k: 'cmi.suspend_data', v: long('d') }]);
      assert.deepEqual(await row(id, 'cmi.suspend_data'), { value: '', history_session_id: sessionId, seq: 3 });
      assert.equal((await open(id)).values['cmi.suspend_data'], long('d'));
    });

    it("a late long value from a replaced window does not win over the newer window's", async () => {
      const id = await newAttempt();
      const older = await open(id);
      const newer = await open(id);
      await send(id, newer.sessionId, 1, [{ k: 'cmi.suspend_data', v: long('new') }]);
      await send(id, older.sessionId, 9, [{ k: 'cmi.suspend_data', v: long('old') }]);
      assert.deepEqual(await row(id, 'cmi.suspend_data'), { value: '', history_session_id: newer.sessionId, seq: 1 });
      assert.equal((await open(id)).values['cmi.suspend_data'], long('new'));
    });

    it('a resent batch changes nothing, even with other contents', async () => {
      const id = await newAttempt();
      const { sessionId } = await open(id);
      await send(id, sessionId, 1, [{ k: 'cmi.suspend_data', v: long('first') }]);
      await send(id, sessionId, 1, [{ k: 'cmi.suspend_data', v: long('other') }]);
      assert.equal((await values(id))['cmi.suspend_data'], long('first'));
    });

    it('values that decide the state stay inline however long', async () => {
      const id = await newAttempt();
      const { sessionId } = await open(id);
      await send(id, sessionId, 1, [{ k: 'cmi.objectives.0.id', v: long('q') }]);
      assert.deepEqual(await row(id, 'cmi.objectives.0.id'), { value: long('q'), history_session_id: null, seq: 1 });
      const attempt = await t.store.db.selectFrom('attempts').select('question_scores').where('id', '=', id).executeTakeFirstOrThrow();
      assert.equal((JSON.parse(attempt.question_scores ?? '[]') as Array<{ id: string }>)[0]?.id, long('q'));
    });
  });
}

describe('resolveValues', () => {
  const batch = JSON.stringify([['k', 'one', null], ['j', 'two', 5], ['k', 'three', null]]);
  it('reads the last write of the key in its batch, and inline values as they are', () => {
    assert.deepEqual(
      resolveValues([
        { key: 'k', value: '', history_session_id: 's', elements: batch },
        { key: 'j', value: '', history_session_id: 's', elements: batch },
        { key: 'x', value: 'inline', history_session_id: null, elements: null },
      ]),
      [
        { key: 'k', value: 'three' },
        { key: 'j', value: 'two' },
        { key: 'x', value: 'inline' },
      ],
    );
  });
  it('refuses a pointer whose batch is missing or does not set the key, rather than give an empty value', () => {
    assert.throws(() => resolveValues([{ key: 'k', value: '', history_session_id: 's', elements: null }]), /not there/);
    assert.throws(() => resolveValues([{ key: 'z', value: '', history_session_id: 's', elements: batch }]), /does not set it/);
  });
});
