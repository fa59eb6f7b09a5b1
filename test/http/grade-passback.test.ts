import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { GRADE_JOB_MAX_DEADLINE_MS, GRADE_REFRESH_DELAY_MS, enqueueGradeRefresh, gradeJobKey } from '../../src/commands/grade-refresh.js';
import { listGradeReports, readGradeStates } from '../../src/commands/read-grade-states.js';
import { recomputeGrade } from '../../src/commands/recompute-grade.js';
import { reportAllKey } from '../../src/commands/report-all-grades.js';
import { sendGrade } from '../../src/commands/send-grade.js';
import type { GradeEvent } from '../../src/domain/report-timing.js';
import { markGradeSent } from '../../src/store/repositories/grades.js';
import { type FakeLms, startFakeLms } from '../helpers/fake-lms-outcomes.js';
import { AttemptDriver, gradedLaunch, runJobsToEnd } from '../helpers/graded-launch.js';
import { bearer, fixturePackage, newConsumer, uploadAs } from '../helpers/launch.js';
import type { TestConsumer } from '../helpers/lti11-consumer.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';
import { databaseKinds } from '../helpers/test-store.js';

for (const kind of databaseKinds()) {
  describe(`grade passback to a fake LMS on ${kind}`, () => {
    let t: TestApp;
    let lms: FakeLms;
    let consumer: TestConsumer;
    before(async () => {
      t = await createTestApp(kind, { OUTCOME_TIMEOUT_SECONDS: '5' });
      lms = await startFakeLms({ now: () => t.clock.now });
      consumer = await newConsumer(t);
      lms.addConsumer(consumer.key, consumer.secret);
    });
    after(async () => {
      await t.close();
      await lms.close();
    });

    /** A graded link with an uploaded exam and the given settings; returns the resource id and the instructor's token. */
    async function exam(linkId: string, settings: { report_timing?: string; grading_method?: string } = {}): Promise<{ resourceId: number; instructor: string }> {
      const instructor = await gradedLaunch(t, consumer, { userId: `teacher-${linkId}`, role: 'Instructor', linkId });
      const upload = await uploadAs(t, instructor, fixturePackage('RuntimeBasicCalls_SCORM20043rdEdition.zip'));
      assert.equal(upload.statusCode, 201, upload.body);
      const link = await t.store.db.selectFrom('resource_links').select('resource_id').where('lti_resource_link_id', '=', linkId).executeTakeFirstOrThrow();
      const resourceId = Number(link.resource_id);
      if (Object.keys(settings).length > 0) await t.store.db.updateTable('resources').set(settings).where('id', '=', resourceId).execute();
      return { resourceId, instructor };
    }

    async function student(linkId: string, name: string, outcome: { outcomeUrl?: string; extOutcomeUrl?: string } = { outcomeUrl: lms.url }) {
      const token = await gradedLaunch(t, consumer, { userId: name, role: 'Learner', linkId, sourcedid: `sid-${name}`, ...outcome });
      const user = await t.store.db.selectFrom('users').select('id').where('lti_user_id', '=', name).executeTakeFirstOrThrow();
      return { token, userId: Number(user.id), sourcedid: `sid-${name}` };
    }

    /** Saving the answers queued the grade send in the same transaction (the attempt writer's hook); run it to the end. */
    async function refresh(resourceId: number, userId: number, event: GradeEvent): Promise<void> {
      const queued = await t.store.db.selectFrom('jobs').select('payload').where('key', '=', gradeJobKey(resourceId, userId)).where('state', '=', 'pending').executeTakeFirst();
      assert.ok(queued, 'saving the answers queued a grade send');
      assert.equal((JSON.parse(queued.payload) as { event: string }).event, event);
      t.app.services.jobs.wake();
      await runJobsToEnd(t, [gradeJobKey(resourceId, userId)]);
    }

    /** A send some other event asks for (settings, access changes, deadlines): queued here, then run to the end. */
    async function queueAndRun(resourceId: number, userId: number, event: GradeEvent): Promise<void> {
      await t.store.db.transaction().execute((trx) => enqueueGradeRefresh(trx, [{ resourceId, userId, event }], t.clock.now));
      t.app.services.jobs.wake();
      await runJobsToEnd(t, [gradeJobKey(resourceId, userId)]);
    }

    const accepted = (sourcedid: string) => lms.requests().filter((r) => r.sourcedid === sourcedid && r.accepted);

    it('immediately: every saved answer sends the grade, signed and body-hashed as the LMS checks', async () => {
      const { resourceId } = await exam('timing-immediately', { report_timing: 'immediately' });
      const s = await student('timing-immediately', 'imm');
      const attempt = await AttemptDriver.start(t, s.token);
      await attempt.score(0.25);
      await refresh(resourceId, s.userId, 'score-changed');
      assert.equal(lms.grade(s.sourcedid), 0.25);
      await attempt.finish(0.75);
      await refresh(resourceId, s.userId, 'attempt-completed');
      assert.equal(lms.grade(s.sourcedid), 0.75);
      assert.deepEqual(accepted(s.sourcedid).map((r) => r.score), [0.25, 0.75]);
      assert.ok(lms.requests().every((r) => r.detail === null), 'the fake LMS refused nothing (signature, body hash, timestamp)');
      const state = (await readGradeStates(t.store.db, resourceId)).get(s.userId);
      assert.equal(state?.status, 'sent');
      assert.equal(state?.sentScore, 0.75);
    });

    it('on_completion: answers during the attempt send nothing; the end of the attempt sends the grade', async () => {
      const { resourceId } = await exam('timing-completion', { report_timing: 'on_completion' });
      const s = await student('timing-completion', 'comp');
      const attempt = await AttemptDriver.start(t, s.token);
      await attempt.score(0.4);
      await refresh(resourceId, s.userId, 'score-changed');
      assert.equal(lms.requests().filter((r) => r.sourcedid === s.sourcedid).length, 0);
      await attempt.finish(0.9);
      await refresh(resourceId, s.userId, 'attempt-completed');
      assert.deepEqual(accepted(s.sourcedid).map((r) => r.score), [0.9]);
    });

    it('on_completion: a completion is not lost when a score change coalesces after it', async () => {
      const { resourceId } = await exam('timing-coalesce', { report_timing: 'on_completion' });
      const s = await student('timing-coalesce', 'coal');
      const attempt = await AttemptDriver.start(t, s.token);
      await attempt.finish(0.6);
      await t.store.db.transaction().execute(async (trx) => {
        await enqueueGradeRefresh(trx, [{ resourceId, userId: s.userId, event: 'attempt-completed' }], t.clock.now);
        await enqueueGradeRefresh(trx, [{ resourceId, userId: s.userId, event: 'score-changed' }], t.clock.now + 1000);
      });
      await runJobsToEnd(t, [gradeJobKey(resourceId, s.userId)]);
      assert.deepEqual(accepted(s.sourcedid).map((r) => r.score), [0.6]);
    });

    it('manual: nothing is sent until the instructor reports scores; the report job shows progress and a summary', async () => {
      const { resourceId, instructor } = await exam('timing-manual', { report_timing: 'manual' });
      const a = await student('timing-manual', 'man-a');
      const b = await student('timing-manual', 'man-b');
      const none = await student('timing-manual', 'man-none', {});
      const attemptA = await AttemptDriver.start(t, a.token);
      await attemptA.score(0.3);
      await refresh(resourceId, a.userId, 'score-changed');
      await attemptA.finish(0.5);
      await refresh(resourceId, a.userId, 'attempt-completed');
      const attemptB = await AttemptDriver.start(t, b.token);
      await attemptB.finish(1);
      await refresh(resourceId, b.userId, 'attempt-completed');
      const attemptNone = await AttemptDriver.start(t, none.token);
      await attemptNone.finish(0.2);
      assert.equal(lms.requests().filter((r) => r.sourcedid?.startsWith('sid-man-')).length, 0, 'manual timing sends nothing on its own');

      const started = await t.app.inject({ method: 'POST', url: '/api/resource/report-scores', headers: bearer(instructor) });
      assert.equal(started.statusCode, 202, started.body);
      const { jobId } = started.json() as { jobId: number };
      await runJobsToEnd(t, [reportAllKey(resourceId)]);
      assert.equal(lms.grade(a.sourcedid), 0.5);
      assert.equal(lms.grade(b.sourcedid), 1);
      const job = (await t.app.inject({ method: 'GET', url: `/api/resource/jobs/${jobId}`, headers: bearer(instructor) })).json() as {
        state: string;
        progress: { done: number; total: number; sent: number; failed: number };
        result: { sent: number; failed: Array<{ userId: number; name: string; reason: string }> };
      };
      assert.equal(job.state, 'done');
      assert.deepEqual(job.progress, { done: 3, total: 3, sent: 2, failed: 1 });
      assert.equal(job.result.sent, 2);
      assert.deepEqual(job.result.failed.map((f) => f.userId), [none.userId]);
      assert.match(job.result.failed[0]?.reason ?? '', /no outcome service/i);
      assert.equal((await readGradeStates(t.store.db, resourceId)).get(none.userId)?.status, 'no_outcome_service');
    });

    it('every grading method sends its own grade', async () => {
      const { resourceId } = await exam('grading-methods', { report_timing: 'immediately' });
      const s = await student('grading-methods', 'grader');
      for (const scaled of [0.5, 0.9, 0.4]) await (await AttemptDriver.start(t, s.token)).finish(scaled);
      const expected: Array<[string, number]> = [['highest', 0.9], ['last', 0.4], ['average', 0.6]];
      for (const [method, grade] of expected) {
        await t.store.db.updateTable('resources').set({ grading_method: method }).where('id', '=', resourceId).execute();
        await queueAndRun(resourceId, s.userId, 'access-changed');
        assert.equal(lms.grade(s.sourcedid), grade, method);
      }
      assert.deepEqual(accepted(s.sourcedid).map((r) => r.score), [0.9, 0.4, 0.6]);
    });

    it('uses the Blackboard-style outcome URL when it is the only one given', async () => {
      const { resourceId } = await exam('blackboard', { report_timing: 'immediately' });
      const s = await student('blackboard', 'bb', { extOutcomeUrl: `${lms.origin}/webapps/blackboard/outcomes` });
      await (await AttemptDriver.start(t, s.token)).finish(0.8);
      await refresh(resourceId, s.userId, 'attempt-completed');
      const sent = accepted(s.sourcedid);
      assert.equal(sent.length, 1);
      assert.equal(sent[0]?.path, '/webapps/blackboard/outcomes');
      assert.equal(lms.grade(s.sourcedid), 0.8);
    });

    it('a rejected sourcedid is an error with the LMS description in the audit rows, and is not retried', async () => {
      const { resourceId } = await exam('rejected', { report_timing: 'immediately' });
      const s = await student('rejected', 'dropped');
      lms.rejectSourcedid(s.sourcedid, 'This student is no longer enrolled in the course.');
      await (await AttemptDriver.start(t, s.token)).finish(0.7);
      await refresh(resourceId, s.userId, 'attempt-completed');
      const job = await t.store.db.selectFrom('jobs').selectAll().where('key', '=', gradeJobKey(resourceId, s.userId)).executeTakeFirstOrThrow();
      assert.equal(job.state, 'failed');
      assert.equal(job.tries, 1);
      assert.match(job.last_error ?? '', /no longer enrolled/);
      const reports = await listGradeReports(t.store.db, resourceId, s.userId);
      assert.equal(reports.length, 1);
      assert.equal(reports[0]?.outcome, 'rejected');
      assert.equal(reports[0]?.httpStatus, 200);
      assert.equal(reports[0]?.score, 0.7);
      assert.equal(reports[0]?.detail, 'This student is no longer enrolled in the course.');
      const state = (await readGradeStates(t.store.db, resourceId)).get(s.userId);
      assert.equal(state?.status, 'failed');
      assert.equal(state?.lastError, 'This student is no longer enrolled in the course.');
    });

    it('a grade already in the gradebook is not sent again by a later event', async () => {
      const { resourceId } = await exam('no-repeat', { report_timing: 'immediately' });
      const s = await student('no-repeat', 'once');
      await (await AttemptDriver.start(t, s.token)).finish(0.55);
      await refresh(resourceId, s.userId, 'attempt-completed');
      await queueAndRun(resourceId, s.userId, 'deadline-passed');
      assert.equal(accepted(s.sourcedid).length, 1);
    });

    it('records a send only when no newer version is recorded (an older grade never overwrites a newer)', async () => {
      const { resourceId } = await exam('versions');
      const s = await student('versions', 'ver');
      await recomputeGrade(t.store.db, resourceId, s.userId, t.clock.now);
      assert.equal(await markGradeSent(t.store.db, { resourceId, userId: s.userId, version: 3, score: 0.9, now: t.clock.now }), true);
      assert.equal(await markGradeSent(t.store.db, { resourceId, userId: s.userId, version: 2, score: 0.1, now: t.clock.now }), false);
      const state = await t.store.db.selectFrom('grade_states').selectAll().where('resource_id', '=', resourceId).where('user_id', '=', s.userId).executeTakeFirstOrThrow();
      assert.equal(Number(state.sent_version), 3);
      assert.equal(state.sent_score, 0.9);
    });

    it('a send that lands after a newer grade was recorded as sent queues the newest grade again', async () => {
      const { resourceId } = await exam('repair', { report_timing: 'immediately' });
      const s = await student('repair', 'repair');
      const attempt = await AttemptDriver.start(t, s.token);
      await attempt.finish(0.3);
      await refresh(resourceId, s.userId, 'attempt-completed');
      await t.store.db.updateTable('attempts').set({ score_scaled: 0.5 }).where('id', '=', attempt.attemptId).execute();
      const db = t.store.db;
      // While this send (0.5) is on its way, a newer grade (0.9) is computed and recorded as sent by another sender.
      const fetchImpl: typeof fetch = async (input, init) => {
        await db.updateTable('attempts').set({ score_scaled: 0.9 }).where('id', '=', attempt.attemptId).execute();
        const newer = await recomputeGrade(db, resourceId, s.userId, t.clock.now);
        await markGradeSent(db, { resourceId, userId: s.userId, version: newer.version, score: 0.9, now: t.clock.now });
        return fetch(input, init);
      };
      const result = await sendGrade({ db, secretBox: t.app.services.secretBox, timeoutMs: 5000, now: () => t.clock.now, fetchImpl }, { resourceId, userId: s.userId, event: 'score-changed', jobId: null });
      assert.equal(result.outcome, 'sent');
      assert.equal(lms.grade(s.sourcedid), 0.5, 'the older grade overwrote the newer one in the LMS');
      const queued = await db.selectFrom('jobs').select('payload').where('key', '=', gradeJobKey(resourceId, s.userId)).where('state', '=', 'pending').executeTakeFirstOrThrow();
      assert.equal((JSON.parse(queued.payload) as { event: string }).event, 'manual');
      await runJobsToEnd(t, [gradeJobKey(resourceId, s.userId)]);
      assert.equal(lms.grade(s.sourcedid), 0.9, 'the newest grade is back');
    });

    describe('enqueueGradeRefresh', () => {
      const pendingJobs = (key: string) => t.store.db.selectFrom('jobs').selectAll().where('key', '=', key).where('state', '=', 'pending').execute();

      it('leaves a pending job as it is when a request changes nothing, and updates it when one does', async () => {
        const { resourceId } = await exam('enqueue-same', { report_timing: 'manual' });
        const s = await student('enqueue-same', 'same');
        const key = gradeJobKey(resourceId, s.userId);
        const now = t.clock.now;
        const only = async () => {
          const rows = await pendingJobs(key);
          assert.equal(rows.length, 1);
          const row = rows[0]!;
          return { event: (JSON.parse(row.payload) as { event: string }).event, runAt: Number(row.run_at), updatedAt: Number(row.updated_at), deadlineAt: Number(row.deadline_at) };
        };
        await enqueueGradeRefresh(t.store.db, [{ resourceId, userId: s.userId, event: 'score-changed' }], now);
        const first = await only();
        // The same request a moment later (an answer during the send's wait): the row is not rewritten.
        await enqueueGradeRefresh(t.store.db, [{ resourceId, userId: s.userId, event: 'score-changed' }], now + 500);
        assert.deepEqual(await only(), first);
        // A stronger event is taken (the run time stays the earlier one; the deadline, as ever, the later one).
        await enqueueGradeRefresh(t.store.db, [{ resourceId, userId: s.userId, event: 'attempt-completed' }], now + 600);
        assert.deepEqual(await only(), { ...first, event: 'attempt-completed', updatedAt: now + 600, deadlineAt: first.deadlineAt + 600 });
        // An earlier run time is taken.
        await enqueueGradeRefresh(t.store.db, [{ resourceId, userId: s.userId, event: 'score-changed' }], now + 700, { delayMs: 0 });
        assert.deepEqual(await only(), { ...first, event: 'attempt-completed', runAt: now + 700, updatedAt: now + 700, deadlineAt: first.deadlineAt + 700 });
        // A deadline more than an hour later is taken.
        await enqueueGradeRefresh(t.store.db, [{ resourceId, userId: s.userId, event: 'score-changed' }], now + 2 * 3600_000, { delayMs: 0 });
        assert.equal((await only()).deadlineAt, now + 2 * 3600_000 + GRADE_JOB_MAX_DEADLINE_MS);
        await t.store.db.deleteFrom('jobs').where('key', '=', key).execute();
      });

      it('queues one delayed job per student in one call, inside a transaction, keeping the strongest event', async () => {
        const { resourceId } = await exam('enqueue', { report_timing: 'manual' });
        const users = [await student('enqueue', 'q1'), await student('enqueue', 'q2')];
        const now = t.clock.now;
        await t.store.db.transaction().execute(async (trx) => {
          await enqueueGradeRefresh(
            trx,
            [
              { resourceId, userId: users[0]!.userId, event: 'attempt-completed' },
              { resourceId, userId: users[0]!.userId, event: 'score-changed' },
              { resourceId, userId: users[1]!.userId, event: 'score-changed' },
            ],
            now,
          );
          // A later burst joins the pending job: it keeps the earlier run time and the stronger event.
          await enqueueGradeRefresh(trx, [{ resourceId, userId: users[0]!.userId, event: 'score-changed' }, { resourceId, userId: users[1]!.userId, event: 'deadline-passed' }], now + 1000);
        });
        const first = await pendingJobs(gradeJobKey(resourceId, users[0]!.userId));
        const second = await pendingJobs(gradeJobKey(resourceId, users[1]!.userId));
        assert.equal(first.length, 1);
        assert.equal(second.length, 1);
        assert.equal(first[0]?.kind, 'grade-passback');
        assert.equal(Number(first[0]?.run_at), now + GRADE_REFRESH_DELAY_MS);
        assert.equal((JSON.parse(first[0]!.payload) as { event: string }).event, 'attempt-completed');
        assert.equal((JSON.parse(second[0]!.payload) as { event: string }).event, 'deadline-passed');
        assert.equal(Number(first[0]?.resource_id), resourceId);
        await runJobsToEnd(t, [gradeJobKey(resourceId, users[0]!.userId), gradeJobKey(resourceId, users[1]!.userId)]);
      });

      it('rolls back with the transaction that queued it', async () => {
        const { resourceId } = await exam('enqueue-rollback');
        const s = await student('enqueue-rollback', 'rb');
        await assert.rejects(
          t.store.db.transaction().execute(async (trx) => {
            await enqueueGradeRefresh(trx, [{ resourceId, userId: s.userId, event: 'score-changed' }], t.clock.now);
            throw new Error('the answers were not saved');
          }),
          /not saved/,
        );
        assert.equal((await pendingJobs(gradeJobKey(resourceId, s.userId))).length, 0);
      });
    });
  });
}
