/**
 * AGS progress without a score: Started at the first attempt's start, Completed / PendingManual
 * when scores are released by hand, and the AGS user id of a student migrated from LTI 1.1.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { enqueueGradeRefresh, gradeJobKey } from '../../src/commands/grade-refresh.js';
import { agsStatusJobKey } from '../../src/commands/queue-ags-status.js';
import { listGradeReports, readGradeStates } from '../../src/commands/read-grade-states.js';
import { reportAllKey } from '../../src/commands/report-all-grades.js';
import { AttemptDriver, runJobsToEnd } from '../helpers/graded-launch.js';
import { launchInCourse, setUpExam } from '../helpers/instructor-setup.js';
import { bearer, fixturePackage, uploadAs } from '../helpers/launch.js';
import { registerConsumer, type TestConsumer } from '../helpers/lti11-consumer.js';
import { fullLaunch, startPlatformFor, tokenFrom, tokenPayload } from '../helpers/lti13-tool-flow.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';
import { type LaunchInput, ROLE, type TestPlatform } from '../helpers/test-platform/index.js';
import { databaseKinds } from '../helpers/test-store.js';

const CLIENT = 'progress-client';
const COURSE = 'course-progress';

interface Student {
  token: string;
  userId: number;
}

for (const kind of databaseKinds()) {
  describe(`LTI 1.3 AGS progress reporting (${kind})`, () => {
    let t: TestApp;
    let platform: TestPlatform;
    let legacy: TestConsumer;
    let legacyTeacher: string;

    before(async () => {
      t = await createTestApp(kind, { OUTCOME_TIMEOUT_SECONDS: '5' });
      platform = await startPlatformFor(t, CLIENT, { now: () => t.clock.now });
      legacy = await registerConsumer(t.store.db, t.config.secretKey, 'old-lms');
      legacyTeacher = await setUpExam(t, legacy, { linkId: 'legacy-link', contextId: 'legacy-course', userId: 'legacy-teacher' });
    });
    after(async () => {
      await platform.close();
      await t.close();
    });

    async function launch(linkId: string, input: LaunchInput): Promise<string> {
      const res = await fullLaunch(t, platform, {
        clientId: CLIENT,
        launch: { clientId: CLIENT, context: { id: COURSE, title: 'Progress course' }, resourceLink: { id: linkId, title: 'Exam' }, ...input },
      });
      assert.equal(res.statusCode, 303, res.body);
      return tokenFrom(res.headers.location);
    }

    /** An exam behind an LTI 1.3 link, with the report timing given; returns its resource id and the instructor's token. */
    async function exam(linkId: string, timing: 'on_completion' | 'manual'): Promise<{ resourceId: number; teacher: string }> {
      const teacher = await launch(linkId, { sub: `teacher-${linkId}`, roles: [ROLE.instructor] });
      const upload = await uploadAs(t, teacher, fixturePackage('RuntimeBasicCalls_SCORM20043rdEdition.zip'));
      assert.equal(upload.statusCode, 201, upload.body);
      const link = await t.store.db.selectFrom('resource_links').select('resource_id').where('lti_resource_link_id', '=', linkId).executeTakeFirstOrThrow();
      const resourceId = Number(link.resource_id);
      await t.store.db.updateTable('resources').set({ report_timing: timing, grading_method: 'last' }).where('id', '=', resourceId).execute();
      return { resourceId, teacher };
    }

    async function student(linkId: string, sub: string): Promise<Student> {
      const token = await launch(linkId, { sub, roles: [ROLE.learner] });
      return { token, userId: tokenPayload(token).userId as number };
    }

    /** The grade send the attempt writer queues at the end of an attempt, run to the end. */
    async function completed(resourceId: number, userId: number): Promise<void> {
      await t.store.db.transaction().execute((trx) => enqueueGradeRefresh(trx, [{ resourceId, userId, event: 'attempt-completed' }], t.clock.now));
      await runJobsToEnd(t, [gradeJobKey(resourceId, userId)]);
    }

    const statusJobs = (resourceId: number, userId: number) =>
      t.store.db.selectFrom('jobs').select(['state', 'payload']).where('key', '=', agsStatusJobKey(resourceId, userId)).execute();
    const progress = (sub: string) => platform.scores({ userId: sub }).map((s) => [s.activityProgress, s.gradingProgress, s.scoreGiven]);

    it('posts Started without a score at the first attempt only; the grade then arrives FullyGraded and Completed', async () => {
      const { resourceId } = await exam('link-started', 'on_completion');
      const s = await student('link-started', 'starter');
      const startedAt = t.clock.now;
      const first = await AttemptDriver.start(t, s.token);
      assert.equal((await statusJobs(resourceId, s.userId)).length, 1, 'queued by the start, in its transaction');
      await runJobsToEnd(t, [agsStatusJobKey(resourceId, s.userId)]);

      const [started] = platform.scores({ userId: 'starter' });
      assert.deepEqual([started?.activityProgress, started?.gradingProgress, started?.scoreGiven, started?.scoreMaximum], ['Started', 'NotReady', null, null]);
      assert.equal('scoreGiven' in (started?.body ?? {}), false);
      assert.equal(started?.timestamp, new Date(startedAt).toISOString());
      const audit = await listGradeReports(t.store.db, resourceId, s.userId);
      assert.deepEqual(audit.map((r) => [r.operation, r.outcome, r.score]), [['status', 'accepted', null]]);
      assert.match(audit[0]?.detail ?? '', /^AGS status \(Started, NotReady\) posted to http/);

      t.clock.now += 1000;
      await first.finish(0.8);
      await completed(resourceId, s.userId);
      // A second attempt after the grade was sent: no Started, which a platform could take for a rollback.
      t.clock.now += 1000;
      const second = await AttemptDriver.start(t, s.token);
      assert.equal((await statusJobs(resourceId, s.userId)).length, 1);
      t.clock.now += 1000;
      await second.finish(0.6);
      await completed(resourceId, s.userId);
      assert.deepEqual(progress('starter'), [
        ['Started', 'NotReady', null],
        ['Completed', 'FullyGraded', 80],
        ['Completed', 'FullyGraded', 60],
      ]);
    });

    it('retries a status the platform refused for a while, with an audit row for every try', async () => {
      const { resourceId } = await exam('link-retry', 'on_completion');
      const s = await student('link-retry', 'retried');
      platform.failNext(2, 503);
      await AttemptDriver.start(t, s.token);
      await runJobsToEnd(t, [agsStatusJobKey(resourceId, s.userId)]);
      assert.deepEqual(progress('retried'), [['Started', 'NotReady', null]]);
      const audit = await listGradeReports(t.store.db, resourceId, s.userId);
      assert.deepEqual(
        audit.map((r) => [r.operation, r.outcome, r.httpStatus]),
        [
          ['status', 'accepted', 204],
          ['status', 'failed', 503],
          ['status', 'failed', 503],
        ],
      );
      assert.match(audit[2]?.detail ?? '', /^AGS status \(Started, NotReady\) not posted: /);
      // A status is not a grade: the student's grade state is untouched.
      assert.equal((await readGradeStates(t.store.db, resourceId)).get(s.userId), undefined);
    });

    it('sends nothing when an LTI 1.1 student starts an attempt', async () => {
      const token = await launchInCourse(t, legacy, { userId: 'only-11', role: 'Learner', linkId: 'legacy-link', contextId: 'legacy-course' });
      const { userId, resourceLinkId } = tokenPayload(token) as { userId: number; resourceLinkId: number };
      const link = await t.store.db.selectFrom('resource_links').select('resource_id').where('id', '=', resourceLinkId).executeTakeFirstOrThrow();
      const before = platform.serviceRequests().length;
      await AttemptDriver.start(t, token);
      assert.deepEqual(await statusJobs(Number(link.resource_id), userId), []);
      assert.deepEqual(await listGradeReports(t.store.db, Number(link.resource_id), userId), []);
      assert.equal(platform.serviceRequests().length, before);
    });

    it('manual timing: a completed attempt posts Completed / PendingManual at its completion time; the report then posts the score', async () => {
      const { resourceId, teacher } = await exam('link-manual', 'manual');
      const s = await student('link-manual', 'marked-later');
      const first = await AttemptDriver.start(t, s.token);
      await runJobsToEnd(t, [agsStatusJobKey(resourceId, s.userId)]);
      t.clock.now += 1000;
      const completedAt = t.clock.now;
      await first.finish(0.7);
      t.clock.now += 5000;
      await completed(resourceId, s.userId);
      await runJobsToEnd(t, [agsStatusJobKey(resourceId, s.userId)]);

      assert.deepEqual(progress('marked-later'), [
        ['Started', 'NotReady', null],
        ['Completed', 'PendingManual', null],
      ]);
      assert.equal(platform.scores({ userId: 'marked-later' })[1]?.timestamp, new Date(completedAt).toISOString());
      assert.equal((await readGradeStates(t.store.db, resourceId)).get(s.userId)?.sentScore ?? null, null);

      t.clock.now += 60_000;
      const report = await t.app.inject({ method: 'POST', url: '/api/resource/report-scores', headers: bearer(teacher) });
      assert.equal(report.statusCode, 202, report.body);
      await runJobsToEnd(t, [reportAllKey(resourceId)]);
      assert.deepEqual(progress('marked-later').at(-1), ['Completed', 'FullyGraded', 70]);

      // Once a grade is in the LMS, a later submission sends no PendingManual over it.
      t.clock.now += 1000;
      await (await AttemptDriver.start(t, s.token)).finish(0.9);
      await completed(resourceId, s.userId);
      assert.ok((await statusJobs(resourceId, s.userId)).every((j) => j.state === 'done'), 'no status queued after the grade');
      assert.equal(platform.scores({ userId: 'marked-later' }).length, 3);
    });

    it('sends the AGS score of a student migrated from LTI 1.1 under their LTI 1.3 sub, and reads it and their roster entry back', async () => {
      const res = await fullLaunch(t, platform, {
        clientId: CLIENT,
        launch: {
          clientId: CLIENT,
          sub: 'migrated-13-sub',
          roles: [ROLE.learner],
          resourceLink: { id: 'new-13-link', title: 'Exam' },
          context: { id: 'new-13-course' },
          lti1p1: { userId: 'legacy-student', consumerKey: legacy.key, consumerSecret: legacy.secret, resourceLinkId: 'legacy-link', contextId: 'legacy-course' },
        },
      });
      assert.equal(res.statusCode, 303, res.body);
      const token = tokenFrom(res.headers.location);
      const { userId, resourceLinkId } = tokenPayload(token) as { userId: number; resourceLinkId: number };
      const user = await t.store.db.selectFrom('users').select('lti_user_id').where('id', '=', userId).executeTakeFirstOrThrow();
      assert.equal(user.lti_user_id, 'legacy-student', 'recorded under the LTI 1.1 user');
      const resourceId = Number((await t.store.db.selectFrom('resource_links').select('resource_id').where('id', '=', resourceLinkId).executeTakeFirstOrThrow()).resource_id);

      const attempt = await AttemptDriver.start(t, token);
      await runJobsToEnd(t, [agsStatusJobKey(resourceId, userId)]);
      t.clock.now += 1000;
      await attempt.finish(0.9);
      await completed(resourceId, userId);
      assert.deepEqual(progress('migrated-13-sub'), [
        ['Started', 'NotReady', null],
        ['Completed', 'FullyGraded', 90],
      ]);
      assert.deepEqual(platform.scores({ userId: 'legacy-student' }), []);

      // The dashboard reads the LMS result under the same sub.
      const dashboard = await t.app.inject({ method: 'GET', url: '/api/resource/dashboard', headers: bearer(legacyTeacher) });
      assert.equal(dashboard.statusCode, 200, dashboard.body);
      const rows = (dashboard.json() as { students: Array<{ userId: number; lmsScore: number | null }> }).students;
      assert.equal(rows.find((r) => r.userId === userId)?.lmsScore, 0.9);

      // The roster names them by the sub too, and is matched to the LTI 1.1 user who launched.
      platform.setMembers('new-13-course', [{ user_id: 'migrated-13-sub', roles: [ROLE.learner], name: 'Migrated Student', status: 'Active' }]);
      const roster = await t.app.inject({ method: 'GET', url: '/api/resource/roster', headers: bearer(legacyTeacher) });
      assert.equal(roster.statusCode, 200, roster.body);
      const body = roster.json() as { available: boolean; students: Array<{ ltiUserId: string; userId: number | null; launched: boolean }> };
      assert.equal(body.available, true, roster.body);
      assert.deepEqual(body.students.map((m) => [m.ltiUserId, m.userId, m.launched]), [['migrated-13-sub', userId, true]]);
    });
  });
}
