import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { enqueueGradeRefresh, gradeJobKey } from '../../src/commands/grade-refresh.js';
import { listGradeReports, readGradeStates } from '../../src/commands/read-grade-states.js';
import { type FakeLms, startFakeLms } from '../helpers/fake-lms-outcomes.js';
import { AttemptDriver, gradedLaunch, runJobsToEnd } from '../helpers/graded-launch.js';
import { fixturePackage, uploadAs, newConsumer } from '../helpers/launch.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';
import { databaseKinds } from '../helpers/test-store.js';

const HOUR = 3600_000;

for (const kind of databaseKinds()) {
  describe(`grade passback through an LMS outage on ${kind}`, () => {
    let t: TestApp;
    let lms: FakeLms;
    before(async () => {
      // One second per hung request: the timeout is real time, the backoff runs on the test clock.
      t = await createTestApp(kind, { OUTCOME_TIMEOUT_SECONDS: '1', OUTCOME_DEADLINE_HOURS: '48' });
      lms = await startFakeLms({ now: () => t.clock.now });
    });
    after(async () => {
      await t.close();
      await lms.close();
    });

    async function setup(linkId: string, name: string) {
      const consumer = await newConsumer(t, `lms-${linkId}`);
      lms.addConsumer(consumer.key, consumer.secret);
      const instructor = await gradedLaunch(t, consumer, { userId: `teacher-${linkId}`, role: 'Instructor', linkId });
      assert.equal((await uploadAs(t, instructor, fixturePackage('RuntimeBasicCalls_SCORM20043rdEdition.zip'))).statusCode, 201);
      const link = await t.store.db.selectFrom('resource_links').select('resource_id').where('lti_resource_link_id', '=', linkId).executeTakeFirstOrThrow();
      const token = await gradedLaunch(t, consumer, { userId: name, role: 'Learner', linkId, sourcedid: `sid-${name}`, outcomeUrl: lms.url });
      const user = await t.store.db.selectFrom('users').select('id').where('lti_user_id', '=', name).executeTakeFirstOrThrow();
      return { resourceId: Number(link.resource_id), userId: Number(user.id), token, sourcedid: `sid-${name}` };
    }

    /** The attempt writer's hook: queue a send in a transaction, and wake the runner. */
    async function answered(resourceId: number, userId: number): Promise<void> {
      await t.store.db.transaction().execute((trx) => enqueueGradeRefresh(trx, [{ resourceId, userId, event: 'score-changed' }], t.clock.now));
      t.app.services.jobs.wake();
    }

    /** Moves the test clock to the job's next run, and waits until the LMS has seen `count` requests for the student. */
    async function nextTry(key: string, sourcedid: string, count: number): Promise<void> {
      for (let i = 0; lms.requests().filter((r) => r.sourcedid === sourcedid).length < count; i++) {
        const job = await t.store.db.selectFrom('jobs').select(['state', 'run_at']).where('key', '=', key).where('state', '=', 'pending').executeTakeFirst();
        if (job && Number(job.run_at) > t.clock.now) t.clock.now = Number(job.run_at);
        t.app.services.jobs.wake();
        if (i > 20_000) throw new Error('the LMS was never called');
        await sleep(5);
      }
    }

    /** Waits until the student's job is pending again (the try failed and was recorded). */
    async function tryRecorded(key: string): Promise<void> {
      for (let i = 0; ; i++) {
        const running = await t.store.db.selectFrom('jobs').select('id').where('key', '=', key).where('state', '=', 'running').executeTakeFirst();
        if (!running) return;
        if (i > 20_000) throw new Error('the try never ended');
        await sleep(5);
      }
    }

    it('keeps retrying through 500s, a hung request and hours of 503s, and the latest grade arrives exactly once', async () => {
      const s = await setup('outage', 'outage-student');
      const key = gradeJobKey(s.resourceId, s.userId);
      const attempt = await AttemptDriver.start(t, s.token);

      lms.failNext(2, 500);
      await attempt.score(0.2);
      await answered(s.resourceId, s.userId);
      await nextTry(key, s.sourcedid, 1);
      await tryRecorded(key);
      await nextTry(key, s.sourcedid, 2);
      await tryRecorded(key);

      // The grade changes while the LMS is down; the next request hangs until the timeout.
      await attempt.score(0.5);
      await answered(s.resourceId, s.userId);
      lms.hangNext(1);
      await nextTry(key, s.sourcedid, 3);
      await tryRecorded(key);
      assert.equal((await readGradeStates(t.store.db, s.resourceId)).get(s.userId)?.status, 'retrying');

      // Changed again, then the LMS is down for three hours: tries keep coming, backing off.
      lms.failUntil(t.clock.now + 3 * HOUR, 503);
      await attempt.finish(0.7);
      await answered(s.resourceId, s.userId);
      await runJobsToEnd(t, [key]);

      const mine = lms.requests().filter((r) => r.sourcedid === s.sourcedid);
      const accepted = mine.filter((r) => r.accepted);
      assert.equal(accepted.length, 1, 'the grade arrived exactly once');
      assert.equal(accepted[0]?.score, 0.7, 'and it is the latest');
      assert.equal(lms.grade(s.sourcedid), 0.7);
      assert.ok(mine.length >= 5, `tries went on through the outage (${mine.length} requests)`);
      assert.ok(mine.some((r) => r.status === 503) && mine.some((r) => r.status === 500) && mine.some((r) => r.status === null), 'the LMS failed in every way');

      const reports = await listGradeReports(t.store.db, s.resourceId, s.userId);
      assert.equal(reports.length, mine.length, 'an audit row for every try');
      assert.deepEqual(reports.filter((r) => r.outcome === 'accepted').map((r) => r.score), [0.7]);
      assert.ok(reports.some((r) => r.outcome === 'failed' && r.httpStatus === null && /did not answer/.test(r.detail ?? '')), 'the timeout is in the audit');
      assert.ok(reports.some((r) => r.outcome === 'failed' && r.httpStatus === 503));
      const state = (await readGradeStates(t.store.db, s.resourceId)).get(s.userId);
      assert.equal(state?.status, 'sent');
      assert.equal(state?.sentScore, 0.7);

      // Another event with the same grade sends nothing more.
      await answered(s.resourceId, s.userId);
      await runJobsToEnd(t, [key]);
      assert.equal(lms.requests().filter((r) => r.sourcedid === s.sourcedid && r.accepted).length, 1);
    });

    it('gives up after OUTCOME_DEADLINE_HOURS with the last error, and says so', async () => {
      const s = await setup('deadline', 'deadline-student');
      const key = gradeJobKey(s.resourceId, s.userId);
      lms.failUntil(t.clock.now + 100 * HOUR, 502);
      await (await AttemptDriver.start(t, s.token)).finish(0.4);
      await answered(s.resourceId, s.userId);
      await runJobsToEnd(t, [key]);
      const job = await t.store.db.selectFrom('jobs').selectAll().where('key', '=', key).executeTakeFirstOrThrow();
      assert.equal(job.state, 'failed');
      assert.match(job.last_error ?? '', /HTTP 502/);
      assert.ok(Number(job.finished_at) >= Number(job.created_at) + 48 * HOUR, 'it tried until the deadline');
      const state = (await readGradeStates(t.store.db, s.resourceId)).get(s.userId);
      assert.equal(state?.status, 'failed');
      assert.match(state?.lastError ?? '', /HTTP 502/);
      assert.equal(lms.requests().filter((r) => r.sourcedid === s.sourcedid && r.accepted).length, 0);
    });
  });
}
