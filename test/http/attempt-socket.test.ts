import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { bearer, fixturePackage, launchAs, newConsumer, uploadAs } from '../helpers/launch.js';
import { connectSocket } from '../helpers/socket-client.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';
import { databaseKinds } from '../helpers/test-store.js';
import { decodeHistoryElements, readHistory } from '../../src/store/repositories/attempt-history.js';

for (const kind of databaseKinds()) {
  describe(`attempt websocket on ${kind}`, () => {
    let t: TestApp;
    let base: string;
    let alice: string;
    let bob: string;
    let attemptId: number;
    before(async () => {
      t = await createTestApp(kind);
      const lms = await newConsumer(t);
      const instructor = await launchAs(t, lms, { userId: 'teacher', role: 'Instructor' });
      alice = await launchAs(t, lms, { userId: 'alice', role: 'Learner' });
      bob = await launchAs(t, lms, { userId: 'bob', role: 'Learner' });
      assert.equal((await uploadAs(t, instructor, fixturePackage('singlescobasic.zip'))).statusCode, 201);
      const started = await t.app.inject({ method: 'POST', url: '/api/attempts', headers: bearer(alice) });
      attemptId = (started.json() as { attempt: { id: number } }).attempt.id;
      base = await t.app.listen({ port: 0, host: '127.0.0.1' });
    });
    after(async () => t.close());

    async function open(token: string): Promise<string> {
      const res = await t.app.inject({ method: 'GET', url: `/api/attempts/${attemptId}/launch`, headers: bearer(token) });
      assert.equal(res.statusCode, 200, res.body);
      return (res.json() as { sessionId: string }).sessionId;
    }

    it('acknowledges batches after storing them, several in flight, each once', async () => {
      const sessionId = await open(alice);
      const client = await connectSocket(base, attemptId);
      client.send({ type: 'hello', token: alice, sessionId });
      await client.next((m) => m.type === 'ready');
      for (let seq = 1; seq <= 20; seq++) {
        client.send({ type: 'batch', seq, elements: [{ k: 'cmi.core.lesson_location', v: String(seq), t: Date.now() }, { k: `cmi.interactions.${seq}.id`, v: `q${seq}` }] });
      }
      client.send({ type: 'batch', seq: 5, elements: [{ k: 'cmi.core.lesson_location', v: 'resent' }] });
      for (let seq = 1; seq <= 20; seq++) await client.next((m) => m.type === 'ack' && m.seq === seq);
      await new Promise((r) => setTimeout(r, 100));
      const rows = (await readHistory(t.store.db, attemptId)).filter((r) => r.session_id === sessionId);
      assert.equal(rows.length, 40, 'the resent batch 5 changed nothing');
      const current = await t.store.db.selectFrom('attempt_values').select('value').where('attempt_id', '=', attemptId).where('key', '=', 'cmi.core.lesson_location').executeTakeFirstOrThrow();
      assert.equal(current.value, '20');
      client.close();
    });

    it("refuses another student's socket and a bad token", async () => {
      const sessionId = await open(alice);
      const intruder = await connectSocket(base, attemptId);
      intruder.send({ type: 'hello', token: bob, sessionId });
      assert.equal((await intruder.closed).code, 4003);
      const forged = await connectSocket(base, attemptId);
      forged.send({ type: 'hello', token: `${alice}x`, sessionId });
      assert.equal((await forged.closed).code, 4003);
      const rude = await connectSocket(base, attemptId);
      rude.send({ type: 'batch', seq: 1, elements: [] });
      assert.equal((await rude.closed).code, 4003);
      const garbage = await connectSocket(base, attemptId);
      garbage.ws.send('{not json');
      assert.equal((await garbage.closed).code, 4004);
    });

    it('tells the first window to stop when the attempt opens in a second one', async () => {
      const first = await open(alice);
      const window1 = await connectSocket(base, attemptId);
      window1.send({ type: 'hello', token: alice, sessionId: first });
      await window1.next((m) => m.type === 'ready');
      await open(alice);
      const message = await window1.next((m) => m.type === 'takeover');
      assert.match(String(message.message), /another window/);
      assert.equal((await window1.closed).code, 4001);
    });

    it('commits many concurrent batches in few transactions', async () => {
      const sessionId = await open(alice);
      const before = t.app.services.writer.transactions;
      const outcomes = await Promise.all(
        Array.from({ length: 200 }, (_, i) =>
          t.app.services.writer.submit({ attemptId, sessionId, seq: i + 1, elements: [{ k: `cmi.interactions.${i}.result`, v: 'correct', t: null }], terminate: false, writerRole: 'student' }),
        ),
      );
      assert.ok(outcomes.every((o) => o.status === 'acked'));
      const used = t.app.services.writer.transactions - before;
      assert.ok(used < 200, `group commit used ${used} transactions for 200 batches`);
      const stored = (await t.store.db.selectFrom('attempt_history').select('elements').where('session_id', '=', sessionId).execute()).flatMap((r) => decodeHistoryElements(r.elements));
      assert.equal(stored.length, 200);
    });
  });
}
