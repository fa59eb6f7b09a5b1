/**
 * Live enforcement on every database kind: an instructor's change (an access change, or the
 * resource's settings) that closes the exam for a student ends their open attempt through the
 * apply-access job; the window's socket hears `ended` with the reason and closes, the attempt is
 * ended in the database, and later batches are refused. A moved deadline reaches the open
 * window as a `deadline` message and the attempt goes on.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DEADLINE_REPORT_DELAY_MS } from '../../src/domain/report-timing.js';
import { buildSamplePackage } from '../../src/scorm/sample-packages.js';
import { settingsForm } from '../helpers/instructor-setup.js';
import { bearer, newConsumer, uploadAs } from '../helpers/launch.js';
import { launchPerson } from '../helpers/launch-person.js';
import type { TestConsumer } from '../helpers/lti11-consumer.js';
import { connectSocket, type SocketClient } from '../helpers/socket-client.js';
import { createTestApp, listenOnLoopback, type TestApp } from '../helpers/test-app.js';
import { databaseKinds } from '../helpers/test-store.js';

const HOUR = 3600_000;

for (const kind of databaseKinds()) {
  describe(`live enforcement on ${kind}`, () => {
    let t: TestApp;
    let base: string;
    let lms: TestConsumer;
    let teacher: string;
    let start: number;
    const sockets: SocketClient[] = [];

    before(async () => {
      t = await createTestApp(kind);
      start = t.clock.now;
      base = await listenOnLoopback(t);
      lms = await newConsumer(t);
      teacher = await launchPerson(t, lms, { userId: 'teacher', role: 'Instructor', username: 'teacher', email: 'teacher@example.org' });
      assert.equal((await uploadAs(t, teacher, await buildSamplePackage('2004'))).statusCode, 201);
    });
    after(async () => {
      for (const s of sockets) s.close();
      await t?.close();
    });

    const iso = (ms: number) => new Date(ms).toISOString();

    async function putSettings(changes: Record<string, unknown>): Promise<void> {
      const body = settingsForm(changes);
      const res = await t.app.inject({ method: 'PUT', url: '/api/resource/settings', headers: bearer(teacher), payload: body });
      assert.equal(res.statusCode, 200, res.body);
    }

    async function accessChange(body: Record<string, unknown>): Promise<void> {
      const res = await t.app.inject({ method: 'POST', url: '/api/resource/access-changes', headers: bearer(teacher), payload: { durationMode: 'none', ...body } });
      assert.equal(res.statusCode, 201, res.body);
    }

    /** A student in the exam: an attempt, its launch, and a socket that said hello. */
    async function inExam(name: string): Promise<{ token: string; attemptId: number; sessionId: string; socket: SocketClient }> {
      const token = await launchPerson(t, lms, { userId: name, role: 'Learner', username: name, email: `${name}@example.org` });
      const started = await t.app.inject({ method: 'POST', url: '/api/attempts', headers: bearer(token) });
      assert.equal(started.statusCode, 201, started.body);
      const attemptId = (started.json() as { attempt: { id: number } }).attempt.id;
      const launch = await t.app.inject({ method: 'GET', url: `/api/attempts/${attemptId}/launch`, headers: bearer(token) });
      assert.equal(launch.statusCode, 200, launch.body);
      const { sessionId } = launch.json() as { sessionId: string };
      const socket = await connectSocket(base, attemptId);
      sockets.push(socket);
      socket.send({ type: 'hello', token, sessionId });
      await socket.next((m) => m.type === 'ready');
      return { token, attemptId, sessionId, socket };
    }

    const attemptRow = (id: number) => t.store.db.selectFrom('attempts').select(['ended_at', 'end_reason']).where('id', '=', id).executeTakeFirstOrThrow();

    async function sendBatch(token: string, attemptId: number, sessionId: string, seq: number) {
      const res = await t.app.inject({
        method: 'POST',
        url: `/api/attempts/${attemptId}/batches`,
        headers: bearer(token),
        payload: { sessionId, batches: [{ seq, elements: [{ k: 'cmi.location', v: String(seq) }] }] },
      });
      assert.equal(res.statusCode, 200, res.body);
      return res.json() as { acked: number[]; refused: Array<{ seq: number; code: string }> };
    }

    it('a moved deadline reaches the open window as a deadline message; the attempt goes on', async () => {
      const carol = await inExam('carol');
      await putSettings({ availableUntil: iso(start + 2 * HOUR), dueAt: iso(start + HOUR) });
      const first = await carol.socket.next((m) => m.type === 'deadline' && m.deadline === start + 2 * HOUR);
      assert.equal(typeof first.message, 'string');
      await accessChange({ description: 'Thirty more minutes for carol', targets: 'carol', extendDeadlineMinutes: 30 });
      const moved = await carol.socket.next((m) => m.type === 'deadline' && m.deadline === start + 2.5 * HOUR);
      assert.equal(moved.message, 'The time this exam closes for you has changed: your attempt ends then.');
      // Not an end: the socket stays open and answers are still saved.
      carol.socket.send({ type: 'batch', seq: 1, elements: [{ k: 'cmi.location', v: 'q2', t: Date.now() }], terminate: false });
      await carol.socket.next((m) => m.type === 'ack' && m.seq === 1);
      assert.equal((await attemptRow(carol.attemptId)).ended_at, null);
      assert.equal(carol.socket.messages.some((m) => m.type === 'ended'), false);
    });

    it('an access change that closes the exam for a student ends their open attempt at once, and says why', async () => {
      const alice = await inExam('alice');
      const bob = await inExam('bob');
      await accessChange({ description: 'Alice sat the exam early', targets: 'alice', availableUntil: iso(start - 60_000) });
      const ended = await alice.socket.next((m) => m.type === 'ended');
      assert.equal(ended.reason, 'This exam has closed for you, so your attempt has ended. Everything saved before it closed is kept.');
      assert.deepEqual(await alice.socket.closed, { code: 4002, reason: 'ended' });
      const row = await attemptRow(alice.attemptId);
      assert.equal(row.ended_at, start);
      assert.equal(row.end_reason, 'availability_ended');
      const late = await sendBatch(alice.token, alice.attemptId, alice.sessionId, 1);
      assert.deepEqual(late.acked, []);
      assert.deepEqual(late.refused.map((r) => r.code), ['attempt_ended']);
      const view = (await t.app.inject({ method: 'GET', url: '/api/resource', headers: bearer(alice.token) })).json() as {
        attempts: Array<{ endReason: string | null; canContinue: boolean }>;
      };
      assert.deepEqual(view.attempts.map((a) => [a.endReason, a.canContinue]), [['availability_ended', false]]);
      // The change names alice only: bob's attempt goes on.
      assert.equal((await attemptRow(bob.attemptId)).ended_at, null);
      assert.deepEqual((await sendBatch(bob.token, bob.attemptId, bob.sessionId, 1)).acked, [1]);
      assert.equal(bob.socket.messages.some((m) => m.type === 'ended'), false);
    });

    it('a settings change that closes the exam ends every open attempt, and a new one cannot be started', async () => {
      const dave = await inExam('dave');
      const erin = await inExam('erin');
      await putSettings({ availableUntil: iso(start - 60_000) });
      for (const s of [dave, erin]) {
        const ended = await s.socket.next((m) => m.type === 'ended');
        assert.match(String(ended.reason), /closed for you/);
        assert.equal((await s.socket.closed).code, 4002);
        assert.equal((await attemptRow(s.attemptId)).end_reason, 'availability_ended');
        assert.deepEqual((await sendBatch(s.token, s.attemptId, s.sessionId, 2)).refused.map((r) => r.code), ['attempt_ended']);
      }
      const refusedStart = await t.app.inject({ method: 'POST', url: '/api/attempts', headers: bearer(dave.token) });
      assert.equal(refusedStart.statusCode, 403);
      assert.equal((refusedStart.json() as { error: { message: string } }).error.message, 'This exam is no longer available.');
    });
  });
}

/** Polls until `check` returns a value, or fails after 5 s (the job runner polls every 50 ms in tests). */
async function eventually<T>(what: string, check: () => Promise<T | null | undefined>): Promise<T> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const value = await check();
    if (value !== null && value !== undefined) return value;
    if (Date.now() > deadline) assert.fail(`${what}: not reached in 5 s`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

for (const kind of databaseKinds()) {
  describe(`the apply-access job schedules itself on ${kind}`, () => {
    let t: TestApp;
    let base: string;
    after(async () => t?.close());

    it('runs again when the exam closes (ending the open attempt) and after the deadline delay (queuing grade sends)', async () => {
      t = await createTestApp(kind);
      const start = t.clock.now;
      base = await listenOnLoopback(t);
      const lms = await newConsumer(t);
      const teacher = await launchPerson(t, lms, { userId: 'teacher', role: 'Instructor', username: 'teacher', email: 'teacher@example.org' });
      assert.equal((await uploadAs(t, teacher, await buildSamplePackage('2004'))).statusCode, 201);
      const token = await launchPerson(t, lms, { userId: 'frank', role: 'Learner', username: 'frank', email: 'frank@example.org' });
      const attemptId = ((await t.app.inject({ method: 'POST', url: '/api/attempts', headers: bearer(token) })).json() as { attempt: { id: number } }).attempt.id;
      const { sessionId } = (await t.app.inject({ method: 'GET', url: `/api/attempts/${attemptId}/launch`, headers: bearer(token) })).json() as { sessionId: string };
      const socket = await connectSocket(base, attemptId);
      socket.send({ type: 'hello', token, sessionId });
      await socket.next((m) => m.type === 'ready');

      const until = start + 10 * 60_000;
      const settings = {
        gradingMethod: 'highest', includeIncomplete: false, maxAttempts: 0, showScores: 'always', reportTiming: 'on_completion',
        reviewFrom: null, availableFrom: null, availableUntil: new Date(until).toISOString(), dueAt: null, emailReceipts: false,
      };
      assert.equal((await t.app.inject({ method: 'PUT', url: '/api/resource/settings', headers: bearer(teacher), payload: settings })).statusCode, 200);
      const pendingRun = () =>
        t.store.db.selectFrom('jobs').select('run_at').where('kind', '=', 'apply-access').where('state', '=', 'pending').executeTakeFirst();
      const scheduled = await eventually('the next run is queued at available-until', async () => ((await pendingRun())?.run_at === until ? true : null));
      assert.equal(scheduled, true);
      assert.equal((await t.store.db.selectFrom('attempts').select('ended_at').where('id', '=', attemptId).executeTakeFirstOrThrow()).ended_at, null);

      // The exam closes: the scheduled run ends the attempt and tells the window.
      t.clock.now = until;
      t.app.services.jobs.wake();
      const ended = await socket.next((m) => m.type === 'ended');
      assert.match(String(ended.reason), /closed for you/);
      assert.equal((await t.store.db.selectFrom('attempts').select('end_reason').where('id', '=', attemptId).executeTakeFirstOrThrow()).end_reason, 'availability_ended');
      await eventually('the next run is queued after the deadline delay', async () => ((await pendingRun())?.run_at === until + DEADLINE_REPORT_DELAY_MS ? true : null));

      // A few minutes after the deadline: the grade is sent again ('deadline-passed').
      await t.store.db.deleteFrom('jobs').where('kind', '=', 'grade-passback').execute();
      t.clock.now = until + DEADLINE_REPORT_DELAY_MS;
      t.app.services.jobs.wake();
      const userId = (await t.store.db.selectFrom('users').select('id').where('lti_user_id', '=', 'frank').executeTakeFirstOrThrow()).id;
      const resourceId = (await t.store.db.selectFrom('resources').select('id').executeTakeFirstOrThrow()).id;
      const gradeJob = () => t.store.db.selectFrom('jobs').select('payload').where('kind', '=', 'grade-passback').where('key', '=', `grade:${resourceId}:${userId}`).executeTakeFirst();
      const payload = await eventually('a deadline grade send is queued', async () => (await gradeJob())?.payload);
      assert.equal((JSON.parse(payload) as { event: string }).event, 'deadline-passed');
      // Nothing further to wait for: no run is left queued.
      await eventually('no further run is queued', async () => ((await pendingRun()) === undefined ? true : null));
      socket.close();
    });
  });
}
