import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AttemptWriter } from '../../src/commands/attempt-writer.js';
import { bearer, fixturePackage, launchAs, newConsumer, uploadAs } from '../helpers/launch.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';
import { databaseKinds } from '../helpers/test-store.js';

/**
 * One group commit that touches attempts in different ways (state, time, neither) updates
 * each attempt row as it would alone: the UPDATE is folded into one statement per shape.
 */
for (const kind of databaseKinds()) {
  describe(`group commit of mixed attempts on ${kind}`, () => {
    let t: TestApp;
    const open: Array<{ attemptId: number; sessionId: string }> = [];
    before(async () => {
      t = await createTestApp(kind);
      const lms = await newConsumer(t);
      const teacher = await launchAs(t, lms, { userId: 'teacher', role: 'Instructor' });
      assert.equal((await uploadAs(t, teacher, fixturePackage('RuntimeBasicCalls_SCORM20043rdEdition.zip'))).statusCode, 201);
      for (const user of ['alice', 'bob', 'carol']) {
        const token = await launchAs(t, lms, { userId: user, role: 'Learner' });
        const attemptId = (JSON.parse((await t.app.inject({ method: 'POST', url: '/api/attempts', headers: bearer(token) })).body) as { attempt: { id: number } }).attempt.id;
        const sessionId = (JSON.parse((await t.app.inject({ method: 'GET', url: `/api/attempts/${attemptId}/launch`, headers: bearer(token) })).body) as { sessionId: string }).sessionId;
        open.push({ attemptId, sessionId });
      }
    });
    after(async () => t.close());

    it('derives state, sums time and counts elements per attempt in one transaction', async () => {
      const [alice, bob, carol] = open as [(typeof open)[0], (typeof open)[0], (typeof open)[0]];
      // One lane, so that on PostgreSQL too (where the server uses four) all three share a transaction.
      const writer = new AttemptWriter(t.store.db, { lanes: 1, now: () => t.clock.now });
      t.clock.now += 1000;
      const batch = (a: typeof alice, seq: number, elements: Array<{ k: string; v: string }>) => ({ ...a, seq, elements: elements.map((e) => ({ ...e, t: null })), terminate: false, writerRole: 'student' as const });
      const outcomes = await writer.submitAll([
        batch(alice, 1, [{ k: 'cmi.score.raw', v: '3' }, { k: 'cmi.score.max', v: '4' }, { k: 'cmi.objectives.0.id', v: 'q0' }, { k: 'cmi.objectives.0.score.raw', v: '1' }]),
        batch(bob, 1, [{ k: 'cmi.location', v: 'p2' }]),
        batch(carol, 1, [{ k: 'cmi.session_time', v: 'PT2M' }, { k: 'cmi.location', v: 'p1' }]),
        batch(alice, 2, [{ k: 'cmi.score.raw', v: '4' }]),
      ]);
      assert.ok(outcomes.every((o) => o.status === 'acked'));
      assert.equal(writer.transactions, 1, 'one group, one transaction');

      const rows = await t.store.db.selectFrom('attempts').selectAll().where('id', 'in', open.map((o) => o.attemptId)).orderBy('id').execute();
      const [a, b, c] = rows;
      assert.equal(Number(a?.element_count), 5);
      assert.equal(a?.score_raw, 4);
      assert.equal(a?.score_max, 4);
      assert.equal(a?.score_scaled, 1);
      assert.deepEqual(JSON.parse(a?.question_scores ?? 'null'), [{ id: 'q0', raw: 1, min: null, max: null, scaled: null }]);
      assert.equal(Number(b?.element_count), 1);
      assert.equal(b?.score_raw, null);
      assert.equal(Number(c?.element_count), 2);
      assert.equal(Number(c?.time_spent_ms), 120_000);
      for (const row of rows) assert.equal(Number(row.updated_at), t.clock.now);
    });
  });
}
