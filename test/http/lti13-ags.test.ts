import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { enqueueGradeRefresh, gradeJobKey } from '../../src/commands/grade-refresh.js';
import { agsStatusJobKey } from '../../src/commands/queue-ags-status.js';
import { listGradeReports, readGradeStates } from '../../src/commands/read-grade-states.js';
import type { GradeEvent } from '../../src/domain/report-timing.js';
import { AttemptDriver, runJobsToEnd } from '../helpers/graded-launch.js';
import { bearer, fixturePackage, uploadAs } from '../helpers/launch.js';
import { fullLaunch, startPlatformFor, tokenFrom } from '../helpers/lti13-tool-flow.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';
import { type LaunchInput, ROLE, SCOPE, type TestPlatform } from '../helpers/test-platform/index.js';
import { databaseKinds } from '../helpers/test-store.js';

const CLIENT = 'ags-client';
const COURSE = 'course-ags';

interface DashboardBody {
  students: Array<{ userId: number; score: number | null; lmsScore: number | null }>;
  lmsGrades: { available: boolean; reason: string | null };
}

for (const kind of databaseKinds()) {
  describe(`LTI 1.3 grade passback through AGS (${kind})`, () => {
    let t: TestApp;
    let platform: TestPlatform;
    let teacher: string;
    let resourceId: number;

    before(async () => {
      t = await createTestApp(kind, { OUTCOME_TIMEOUT_SECONDS: '5' });
      // The platform fetches our published JWKS over real HTTP to verify our client assertions.
      platform = await startPlatformFor(t, CLIENT, { now: () => t.clock.now });
      teacher = await launch({ sub: 'teacher-1', roles: [ROLE.instructor] });
      const upload = await uploadAs(t, teacher, fixturePackage('RuntimeBasicCalls_SCORM20043rdEdition.zip'));
      assert.equal(upload.statusCode, 201, upload.body);
      const link = await t.store.db.selectFrom('resource_links').select('resource_id').where('lti_resource_link_id', '=', 'link-ags').executeTakeFirstOrThrow();
      resourceId = Number(link.resource_id);
      await t.store.db.updateTable('resources').set({ title: 'Midterm', report_timing: 'immediately', grading_method: 'last' }).where('id', '=', resourceId).execute();
    });
    after(async () => {
      await platform.close();
      await t.close();
    });

    /** A full OIDC login and launch through the platform (login, /auth, POST /lti/launch); returns the session token. */
    async function launch(input: LaunchInput): Promise<string> {
      const res = await fullLaunch(t, platform, {
        clientId: CLIENT,
        launch: { clientId: CLIENT, context: { id: COURSE, title: 'AGS course' }, resourceLink: { id: 'link-ags', title: 'Midterm' }, ...input },
      });
      assert.equal(res.statusCode, 303, res.body);
      return tokenFrom(res.headers.location);
    }

    async function student(sub: string, ags?: LaunchInput['ags']): Promise<{ token: string; userId: number }> {
      const token = await launch({ sub, roles: [ROLE.learner], ...(ags === undefined ? {} : { ags }) });
      const user = await t.store.db.selectFrom('users').select('id').where('lti_user_id', '=', sub).executeTakeFirstOrThrow();
      return { token, userId: Number(user.id) };
    }

    /** What the attempt writer's hook queues once answers are saved; then the send runs to the end. */
    async function refresh(userId: number, event: GradeEvent = 'attempt-completed'): Promise<void> {
      await t.store.db.transaction().execute((trx) => enqueueGradeRefresh(trx, [{ resourceId, userId, event }], t.clock.now));
      t.app.services.jobs.wake();
      await runJobsToEnd(t, [gradeJobKey(resourceId, userId)]);
    }

    /**
     * Starts an attempt and lets its Started status (queued by the start) reach the platform, so
     * it never races the grade sends below; the clock then moves on, as it does between a start
     * and the answers, so the platform orders the two by timestamp.
     */
    async function startAttempt(s: { token: string; userId: number }): Promise<AttemptDriver> {
      const attempt = await AttemptDriver.start(t, s.token);
      await runJobsToEnd(t, [agsStatusJobKey(resourceId, s.userId)]);
      t.clock.now += 1000;
      return attempt;
    }

    const ourLineItems = () => platform.lineItems(COURSE).filter((i) => i.createdBy === CLIENT);

    it('sends the score with its activity and grading progress, with a token the platform verified against our JWKS, creating our line item', async () => {
      const s = await student('student-1');
      const attempt = await startAttempt(s);
      await attempt.finish(0.75);
      await refresh(s.userId);

      // The first attempt's Started status went first, without a score.
      const scores = platform.scores({ userId: 'student-1' });
      assert.equal(scores.length, 2, JSON.stringify(platform.serviceRequests()));
      assert.deepEqual([scores[0]?.activityProgress, scores[0]?.gradingProgress, scores[0]?.scoreGiven], ['Started', 'NotReady', null]);
      const score = scores[1];
      assert.equal(score?.scoreGiven, 75);
      assert.equal(score?.scoreMaximum, 100);
      assert.equal(score?.activityProgress, 'Completed');
      assert.equal(score?.gradingProgress, 'FullyGraded');
      assert.equal(score?.clientId, CLIENT);
      assert.match(score?.timestamp ?? '', /T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);

      // No line item came with the launch: ours was created (label, maximum, resourceId, tag) and recorded.
      const items = ourLineItems();
      assert.equal(items.length, 1);
      assert.deepEqual(
        [items[0]?.label, items[0]?.scoreMaximum, items[0]?.resourceId, items[0]?.tag],
        ['Midterm', 100, String(resourceId), 'exam'],
      );
      assert.equal(score?.lineItemId, items[0]?.id);
      const recorded = await t.store.db.selectFrom('line_items').select('lineitem_url').where('resource_id', '=', resourceId).execute();
      assert.deepEqual(recorded.map((r) => r.lineitem_url), [items[0]?.id]);

      // The token endpoint checked our RS256 client assertion with jose against GET /lti/jwks.
      const tokens = platform.tokenRequests().filter((r) => r.clientId === CLIENT && r.status === 200);
      assert.equal(tokens.length, 1);
      assert.ok(tokens[0]?.grantedScopes.includes(SCOPE.score));

      const state = (await readGradeStates(t.store.db, resourceId)).get(s.userId);
      assert.equal(state?.status, 'sent');
      assert.equal(state?.sentScore, 0.75);
      const reports = await listGradeReports(t.store.db, resourceId, s.userId);
      assert.deepEqual(reports.map((r) => [r.operation, r.outcome, r.score]), [['replace', 'accepted', 0.75], ['status', 'accepted', null]]);
    });

    it('reuses the recorded line item and the cached token for the next student', async () => {
      const postsBefore = platform.serviceRequests().filter((r) => r.method === 'POST' && r.path.endsWith('/lineitems')).length;
      const s = await student('student-2');
      await (await startAttempt(s)).finish(0.5);
      await refresh(s.userId);
      const scores = platform.scores({ userId: 'student-2' });
      assert.deepEqual(scores.map((r) => [r.scoreGiven, r.lineItemId]), [[null, ourLineItems()[0]?.id], [50, ourLineItems()[0]?.id]]);
      assert.equal(ourLineItems().length, 1);
      assert.equal(platform.serviceRequests().filter((r) => r.method === 'POST' && r.path.endsWith('/lineitems')).length, postsBefore);
      assert.equal(platform.tokenRequests().filter((r) => r.clientId === CLIENT && r.status === 200).length, 1);
    });

    it('uses the line item named in the launch claim', async () => {
      const column = platform.createLineItem(COURSE, { label: 'LMS column', scoreMaximum: 10 });
      const s = await student('student-claim', { lineitem: column.id });
      await (await startAttempt(s)).finish(0.6);
      await refresh(s.userId);
      assert.deepEqual(platform.scores({ userId: 'student-claim' }).map((r) => [r.lineItemId, r.scoreGiven]), [[column.id, null], [column.id, 60]]);
    });

    it('shows the grade in the LMS beside the grade here on the dashboard', async () => {
      const res = await t.app.inject({ method: 'GET', url: '/api/resource/dashboard', headers: bearer(teacher) });
      assert.equal(res.statusCode, 200, res.body);
      const body = res.json() as DashboardBody;
      assert.deepEqual(body.lmsGrades, { available: true, reason: null });
      const one = await t.store.db.selectFrom('users').select('id').where('lti_user_id', '=', 'student-1').executeTakeFirstOrThrow();
      const row = body.students.find((r) => r.userId === Number(one.id));
      assert.equal(row?.score, 0.75);
      assert.equal(row?.lmsScore, 0.75);
      // A student whose launch named the LMS's own column is read from that column (6 of 10).
      const claim = await t.store.db.selectFrom('users').select('id').where('lti_user_id', '=', 'student-claim').executeTakeFirstOrThrow();
      assert.equal(body.students.find((r) => r.userId === Number(claim.id))?.lmsScore, 0.6);
    });

    it('sends nothing without the score scope, and says why in the audit trail', async () => {
      const s = await student('student-noscore', { scopes: [SCOPE.lineItemReadonly, SCOPE.resultReadonly] });
      await (await AttemptDriver.start(t, s.token)).finish(0.8);
      // Without the score scope not even the Started status is queued.
      assert.equal(await t.store.db.selectFrom('jobs').select('id').where('key', '=', agsStatusJobKey(resourceId, s.userId)).executeTakeFirst(), undefined);
      await refresh(s.userId);
      assert.equal(platform.scores({ userId: 'student-noscore' }).length, 0);
      const state = (await readGradeStates(t.store.db, resourceId)).get(s.userId);
      assert.equal(state?.status, 'no_outcome_service');
      assert.match(state?.lastError ?? '', /score scope/);
      const reports = await listGradeReports(t.store.db, resourceId, s.userId);
      assert.equal(reports.length, 1);
      assert.match(reports[0]?.detail ?? '', /did not grant the AGS score scope/);
    });

    it('retries while the platform answers 503 and delivers the latest grade once', async () => {
      const s = await student('student-outage');
      await (await startAttempt(s)).finish(0.4);
      platform.failNext(3, 503);
      await t.store.db.transaction().execute((trx) => enqueueGradeRefresh(trx, [{ resourceId, userId: s.userId, event: 'attempt-completed' }], t.clock.now, { delayMs: 0 }));
      t.app.services.jobs.wake();
      // Wait for the first refused try; the job then waits for its backoff on the test clock.
      const key = gradeJobKey(resourceId, s.userId);
      for (let i = 0; ; i++) {
        const job = await t.store.db.selectFrom('jobs').select(['state', 'tries']).where('key', '=', key).orderBy('id', 'desc').executeTakeFirst();
        if (job !== undefined && job.state === 'pending' && Number(job.tries) >= 1) break;
        assert.ok(i < 4000, 'the first try never happened');
        await sleep(5);
      }
      // A newer grade while the platform is down: the pending send carries it (a second attempt sends no Started).
      await (await AttemptDriver.start(t, s.token)).finish(0.9);
      await refresh(s.userId);

      const scores = platform.scores({ userId: 'student-outage' });
      assert.deepEqual(scores.map((r) => [r.scoreGiven, r.activityProgress]), [[null, 'Started'], [90, 'Completed']]);
      const reports = await listGradeReports(t.store.db, resourceId, s.userId);
      assert.ok(reports.filter((r) => r.httpStatus === 503).length >= 1, JSON.stringify(reports));
      assert.equal(reports.filter((r) => r.outcome === 'accepted' && r.operation === 'replace').length, 1);
      const state = (await readGradeStates(t.store.db, resourceId)).get(s.userId);
      assert.equal(state?.status, 'sent');
      assert.equal(state?.sentScore, 0.9);
    });

    it('reports InProgress while the counting attempt is still open', async () => {
      await t.store.db.updateTable('resources').set({ include_incomplete: 1 }).where('id', '=', resourceId).execute();
      const s = await student('student-open');
      const attempt = await startAttempt(s);
      await attempt.score(0.3);
      await refresh(s.userId, 'score-changed');
      await attempt.finish(0.7);
      await refresh(s.userId);
      assert.deepEqual(
        platform.scores({ userId: 'student-open' }).map((r) => [r.scoreGiven, r.activityProgress, r.gradingProgress]),
        [
          [null, 'Started', 'NotReady'],
          [30, 'InProgress', 'FullyGraded'],
          [70, 'Completed', 'FullyGraded'],
        ],
      );
    });
  });
}
