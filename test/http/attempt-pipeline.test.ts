import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { bearer, fixturePackage, launchAs, newConsumer, uploadAs } from '../helpers/launch.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';
import { databaseKinds } from '../helpers/test-store.js';
import { readHistory } from '../../src/store/repositories/attempt-history.js';

for (const kind of databaseKinds()) {
  describe(`attempt data pipeline on ${kind}`, () => {
    let t: TestApp;
    let instructor: string;
    let alice: string;
    let bob: string;
    before(async () => {
      t = await createTestApp(kind);
      const lms = await newConsumer(t);
      instructor = await launchAs(t, lms, { userId: 'teacher', role: 'Instructor' });
      alice = await launchAs(t, lms, { userId: 'alice', role: 'Learner' });
      bob = await launchAs(t, lms, { userId: 'bob', role: 'Learner' });
    });
    after(async () => t.close());

    async function get(token: string, url: string) {
      const res = await t.app.inject({ method: 'GET', url, headers: bearer(token) });
      return { status: res.statusCode, body: res.json() as Record<string, unknown> };
    }
    async function post(token: string, url: string, payload?: object) {
      const res = await t.app.inject({ method: 'POST', url, headers: bearer(token), ...(payload ? { payload } : {}) });
      return { status: res.statusCode, body: res.json() as Record<string, unknown> };
    }

    it('shows "choose an exam" until the instructor uploads, and refuses student uploads', async () => {
      const before = await get(instructor, '/api/resource');
      assert.equal(before.body.resource, null);
      const byStudent = await uploadAs(t, alice, fixturePackage('RuntimeBasicCalls_SCORM20043rdEdition.zip'));
      assert.equal(byStudent.statusCode, 403);
      const res = await uploadAs(t, instructor, fixturePackage('RuntimeBasicCalls_SCORM20043rdEdition.zip'));
      assert.equal(res.statusCode, 201, res.body);
      const pkg = (res.json() as { package: { scormVersion: string } }).package;
      assert.equal(pkg.scormVersion, '2004');
      const view = await get(alice, '/api/resource');
      assert.equal((view.body.resource as { package: { scormVersion: string } }).package.scormVersion, '2004');
      assert.equal(view.body.canStartNew, true);
    });

    it('refuses a package with no organization with a clear message, storing nothing', async () => {
      const versions = await t.store.db.selectFrom('package_versions').select('id').execute();
      const res = await uploadAs(t, instructor, fixturePackage('singlescobasic_missingorg.zip'));
      assert.equal(res.statusCode, 400);
      assert.match((res.json() as { error: { message: string } }).error.message, /organization/);
      assert.equal((await t.store.db.selectFrom('package_versions').select('id').execute()).length, versions.length);
    });

    let attemptId = 0;
    it('starts an attempt and opens it with a fresh session, entry ab-initio', async () => {
      const started = await post(alice, '/api/attempts');
      assert.equal(started.status, 201);
      attemptId = (started.body.attempt as { id: number }).id;
      const launch = await get(alice, `/api/attempts/${attemptId}/launch`);
      assert.equal(launch.status, 200);
      const runtime = launch.body.runtime as { entry: string; learnerId: string; numbas: Record<string, string> };
      assert.equal(runtime.entry, 'ab-initio');
      assert.equal(runtime.learnerId, 'alice');
      assert.equal(runtime.numbas.user_role, 'learner');
      assert.match(String(launch.body.contentUrl), /^\/content\/[^/]+\/shared\/launchpage\.html/);
    });

    it('serves package files only with a valid grant', async () => {
      const launch = await get(alice, `/api/attempts/${attemptId}/launch`);
      const url = String(launch.body.contentUrl);
      const file = await t.app.inject({ method: 'GET', url });
      assert.equal(file.statusCode, 200);
      assert.match(String(file.headers['content-type']), /text\/html/);
      assert.match(String(file.headers['content-security-policy']), /cdn\.jsdelivr\.net/);
      // The LMS page is an ancestor of the content frame too: 'self' would block the exam there.
      assert.match(String(file.headers['content-security-policy']), /frame-ancestors \*/);
      const forged = url.replace(/\/content\/([^/.]+)\.([^/]+)\//, (_m, body: string) => `/content/${body}.AAAA/`);
      assert.equal((await t.app.inject({ method: 'GET', url: forged })).statusCode, 401);
      const escape = url.replace(/shared\/launchpage\.html.*$/, '..%2F..%2Fsecret-key');
      assert.equal((await t.app.inject({ method: 'GET', url: escape })).statusCode, 404);
    });

    it('stores batches over HTTP idempotently and resumes with every value', async () => {
      const launch = await get(alice, `/api/attempts/${attemptId}/launch`);
      const sessionId = String(launch.body.sessionId);
      const batch = { seq: 1, elements: [{ k: 'cmi.location', v: '2', t: 1 }, { k: 'cmi.suspend_data', v: 'state-1', t: 2 }, { k: 'cmi.score.raw', v: '3', t: 3 }, { k: 'cmi.score.max', v: '5', t: 3 }] };
      const first = await post(alice, `/api/attempts/${attemptId}/batches`, { sessionId, batches: [batch] });
      assert.deepEqual(first.body.acked, [1]);
      const again = await post(alice, `/api/attempts/${attemptId}/batches`, { sessionId, batches: [batch, { seq: 2, elements: [{ k: 'cmi.location', v: '3', t: 4 }] }] });
      assert.deepEqual(again.body.acked, [1, 2]);
      const history = await readHistory(t.store.db, attemptId);
      assert.equal(history.length, 5, 'the resent batch was stored once');
      const resumed = await get(alice, `/api/attempts/${attemptId}/launch`);
      assert.equal((resumed.body.runtime as { entry: string }).entry, 'resume');
      assert.deepEqual(resumed.body.values, { 'cmi.location': '3', 'cmi.suspend_data': 'state-1', 'cmi.score.raw': '3', 'cmi.score.max': '5' });
      const attempt = await t.store.db.selectFrom('attempts').selectAll().where('id', '=', attemptId).executeTakeFirstOrThrow();
      assert.equal(attempt.score_raw, 3);
      assert.equal(attempt.score_scaled, 0.6);
      assert.equal(attempt.element_count, 5);
    });

    it('refuses bad batches with a clear error and stores nothing', async () => {
      const cases = [
        { sessionId: 'short', batches: [{ seq: 1, elements: [] }] },
        { sessionId: 'abcdefgh12', batches: [{ seq: 0, elements: [] }] },
        { sessionId: 'abcdefgh12', batches: [{ seq: 1, elements: [{ k: 'bad key!', v: 'x' }] }] },
        { sessionId: 'abcdefgh12', batches: [{ seq: 1, elements: [{ k: 'cmi.x', v: { not: 'a string' } }] }] },
      ];
      const count = (await t.store.db.selectFrom('attempt_history').select('id').execute()).length;
      for (const body of cases) {
        const res = await post(alice, `/api/attempts/${attemptId}/batches`, body);
        assert.equal(res.status, 400, JSON.stringify(body));
        assert.match(String((res.body.error as { message: string }).message), /Invalid request/);
      }
      assert.equal((await t.store.db.selectFrom('attempt_history').select('id').execute()).length, count);
    });

    it("keeps students out of each other's attempts, and other resources out", async () => {
      assert.equal((await get(bob, `/api/attempts/${attemptId}/launch`)).status, 404);
      const write = await post(bob, `/api/attempts/${attemptId}/batches`, { sessionId: 'bobsession1', batches: [{ seq: 1, elements: [{ k: 'cmi.location', v: 'x' }] }] });
      assert.equal(write.status, 404);
      const lms2 = await newConsumer(t, 'other-lms');
      const stranger = await launchAs(t, lms2, { userId: 'alice', role: 'Instructor', linkId: 'exam-link' });
      assert.equal((await get(stranger, `/api/attempts/${attemptId}/launch`)).status, 404, 'an instructor of another consumer sees nothing');
      const otherLink = await launchAs(t, (await newConsumer(t, 'third')), { userId: 'carol', role: 'Learner', linkId: 'elsewhere' });
      assert.equal((await post(otherLink, `/api/attempts/${attemptId}/batches`, { sessionId: 'carolsess1', batches: [{ seq: 1, elements: [] }] })).status, 404);
      assert.equal((await get(instructor, `/api/attempts/${attemptId}/launch?mode=review`)).status, 200, 'the instructor of the resource may review it');
    });

    it('ends the attempt on terminate with completion, then refuses student writes', async () => {
      const launch = await get(alice, `/api/attempts/${attemptId}/launch`);
      const sessionId = String(launch.body.sessionId);
      const end = await post(alice, `/api/attempts/${attemptId}/batches`, {
        sessionId,
        batches: [{ seq: 1, elements: [{ k: 'cmi.completion_status', v: 'completed' }, { k: 'cmi.success_status', v: 'passed' }, { k: 'cmi.session_time', v: 'PT1M30S' }], terminate: true }],
      });
      assert.deepEqual(end.body.acked, [1]);
      assert.equal(end.body.ended, true);
      const attempt = await t.store.db.selectFrom('attempts').selectAll().where('id', '=', attemptId).executeTakeFirstOrThrow();
      assert.ok(attempt.ended_at);
      assert.equal(attempt.completion_status, 'completed');
      assert.equal(attempt.time_spent_ms, 90_000);
      const late = await post(alice, `/api/attempts/${attemptId}/batches`, { sessionId, batches: [{ seq: 2, elements: [{ k: 'cmi.location', v: '9' }] }] });
      assert.deepEqual(late.body.refused, [{ seq: 2, code: 'attempt_ended', message: 'This attempt has ended: no more answers can be saved to it.' }]);
      const byInstructor = await post(instructor, `/api/attempts/${attemptId}/batches`, { sessionId: 'instructorfix1', batches: [{ seq: 1, elements: [{ k: 'cmi.score.raw', v: '4' }] }] });
      assert.deepEqual(byInstructor.body.acked, [1]);
      const view = await get(alice, '/api/resource');
      const attempts = view.body.attempts as Array<{ id: number; status: string; canReview: boolean }>;
      assert.equal(attempts.find((a) => a.id === attemptId)?.status, 'completed');
      assert.equal((await get(alice, `/api/attempts/${attemptId}/launch`)).status, 409, 'an ended attempt opens only for review');
      assert.equal((await get(alice, `/api/attempts/${attemptId}/launch?mode=review`)).status, 200);
    });

    it('accepts a beacon with the token in the body', async () => {
      const started = await post(bob, '/api/attempts');
      const id = (started.body.attempt as { id: number }).id;
      const launch = await get(bob, `/api/attempts/${id}/launch`);
      const res = await t.app.inject({
        method: 'POST',
        url: `/api/beacon/attempts/${id}/batches`,
        headers: { 'content-type': 'text/plain;charset=UTF-8' },
        payload: JSON.stringify({ token: bob, sessionId: launch.body.sessionId, batches: [{ seq: 1, elements: [{ k: 'cmi.location', v: 'beacon' }] }] }),
      });
      assert.equal(res.statusCode, 200, res.body);
      const noToken = await t.app.inject({ method: 'POST', url: `/api/beacon/attempts/${id}/batches`, headers: { 'content-type': 'text/plain' }, payload: JSON.stringify({ sessionId: 'abcdefgh12', batches: [{ seq: 2, elements: [] }] }) });
      assert.equal(noToken.statusCode, 401);
    });
  });
}

