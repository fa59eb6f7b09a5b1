import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { newConsumer } from '../helpers/launch.js';
import { api, launchInCourse, sendScore, setUpExam, settingsForm, startAttempt, userIdOf } from '../helpers/instructor-setup.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';
import { databaseKinds } from '../helpers/test-store.js';

interface Row {
  userId: number;
  name: string | null;
  username: string | null;
  email: string | null;
  score: number | null;
  attempts: number;
  inProgress: boolean;
  accessTokens: number;
  maxAttempts: number;
  gradeReport: { status: string; sentScore: number | null; sentAt: string | null; lastError: string | null } | null;
}

interface DashboardBody {
  counts: { attempts: number; studentsWithAttempts: number; students: number };
  gradingMethod: string;
  students: Row[];
}

interface JobBody {
  id: number;
  kind: string;
  state: string;
  progress: unknown;
  result: unknown;
}

function close(actual: number | null | undefined, expected: number | null, what: string): void {
  if (expected === null) return assert.equal(actual, null, what);
  assert.ok(typeof actual === 'number' && Math.abs(actual - expected) < 1e-9, `${what}: ${String(actual)} ≠ ${expected}`);
}

for (const kind of databaseKinds()) {
  describe(`instructor dashboard on ${kind}`, () => {
    let t: TestApp;
    let instructor: string;
    let otherInstructor: string;
    let alice: string;
    let ids: Record<'alice' | 'bob' | 'carol' | 'dave', number>;
    let resourceId: number;

    async function finished(token: string, raw: number): Promise<void> {
      const res = await startAttempt(t, token);
      assert.equal(res.statusCode, 201, res.body);
      await sendScore(t, token, (res.json() as { attempt: { id: number } }).attempt.id, raw, true);
    }

    before(async () => {
      t = await createTestApp(kind, {}, { jobs: false });
      const lms = await newConsumer(t);
      instructor = await setUpExam(t, lms);
      otherInstructor = await setUpExam(t, lms, { linkId: 'other-link', contextId: 'course-2', userId: 'other-teacher' });
      alice = await launchInCourse(t, lms, { userId: 'alice', role: 'Learner', name: 'Alice Archer', username: 'aarcher', email: 'alice@uni.example' });
      const bob = await launchInCourse(t, lms, { userId: 'bob', role: 'Learner', name: 'Bob Baker', username: 'bbaker', email: 'bob@uni.example' });
      await launchInCourse(t, lms, { userId: 'carol', role: 'Learner', name: 'Carol Clark', username: 'cclark', email: 'carol@uni.example' });
      const dave = await launchInCourse(t, lms, { userId: 'dave', role: 'Learner', linkId: 'other-link', contextId: 'course-2' });
      await finished(alice, 1);
      await finished(alice, 3);
      const open = await startAttempt(t, bob);
      await sendScore(t, bob, (open.json() as { attempt: { id: number } }).attempt.id, 2, false);
      await finished(dave, 3);
      ids = { alice: await userIdOf(t, 'alice'), bob: await userIdOf(t, 'bob'), carol: await userIdOf(t, 'carol'), dave: await userIdOf(t, 'dave') };
      resourceId = Number((await t.store.db.selectFrom('attempts').select('resource_id').where('user_id', '=', ids.alice).executeTakeFirstOrThrow()).resource_id);
    });
    after(async () => t.close());

    async function dashboard(query = ''): Promise<DashboardBody> {
      const res = await api(t, instructor, 'GET', `/api/resource/dashboard${query}`);
      assert.equal(res.statusCode, 200, res.body);
      return res.json() as DashboardBody;
    }

    const rowOf = (d: DashboardBody, userId: number) => d.students.find((s) => s.userId === userId);

    it('counts attempts and students, and lists this exam’s students only, by name', async () => {
      const d = await dashboard();
      assert.deepEqual(d.counts, { attempts: 3, studentsWithAttempts: 2, students: 3 });
      assert.deepEqual(
        d.students.map((s) => [s.name, s.username, s.email]),
        [
          ['Alice Archer', 'aarcher', 'alice@uni.example'],
          ['Bob Baker', 'bbaker', 'bob@uni.example'],
          ['Carol Clark', 'cclark', 'carol@uni.example'],
        ],
      );
      assert.equal(rowOf(d, ids.dave), undefined, 'a student of another course is not listed');
      const other = (await api(t, otherInstructor, 'GET', '/api/resource/dashboard')).json() as DashboardBody;
      assert.deepEqual(other.counts, { attempts: 1, studentsWithAttempts: 1, students: 1 });
      assert.deepEqual(other.students.map((s) => s.userId), [ids.dave]);
    });

    it('shows attempts, the open one, and the score by each grading method', async () => {
      const expected: Array<{ settings: Record<string, unknown>; alice: number | null; bob: number | null }> = [
        { settings: { gradingMethod: 'highest' }, alice: 1, bob: 2 / 3 },
        { settings: { gradingMethod: 'average' }, alice: 2 / 3, bob: 2 / 3 },
        { settings: { gradingMethod: 'last' }, alice: 1, bob: 2 / 3 },
        { settings: { gradingMethod: 'highest', includeIncomplete: false }, alice: 1, bob: null },
      ];
      for (const e of expected) {
        assert.equal((await api(t, instructor, 'PUT', '/api/resource/settings', settingsForm(e.settings))).statusCode, 200);
        const d = await dashboard();
        assert.equal(d.gradingMethod, e.settings.gradingMethod);
        close(rowOf(d, ids.alice)?.score, e.alice, `alice under ${JSON.stringify(e.settings)}`);
        close(rowOf(d, ids.bob)?.score, e.bob, `bob under ${JSON.stringify(e.settings)}`);
        assert.equal(rowOf(d, ids.carol)?.score, null);
      }
      const d = await dashboard();
      assert.deepEqual(
        [ids.alice, ids.bob, ids.carol].map((id) => {
          const r = rowOf(d, id);
          return [r?.attempts, r?.inProgress];
        }),
        [
          [2, false],
          [1, true],
          [0, false],
        ],
      );
    });

    it('shows access tokens and the last grade report state', async () => {
      await api(t, instructor, 'POST', `/api/resource/students/${ids.carol}/access-tokens`);
      const sentAt = t.clock.now - 60_000;
      await t.store.db
        .insertInto('grade_states')
        .values([
          { resource_id: resourceId, user_id: ids.alice, score: 1, version: 2, sent_score: 1, sent_version: 2, sent_at: sentAt, status: 'sent', last_error: null, updated_at: sentAt },
          { resource_id: resourceId, user_id: ids.bob, score: 0.5, version: 1, sent_score: null, sent_version: null, sent_at: null, status: 'failed', last_error: 'The LMS said: unknown sourcedid', updated_at: sentAt },
        ])
        .execute();
      const d = await dashboard();
      assert.equal(rowOf(d, ids.carol)?.accessTokens, 1);
      assert.deepEqual(rowOf(d, ids.alice)?.gradeReport, { status: 'sent', sentScore: 1, sentAt: new Date(sentAt).toISOString(), lastError: null });
      assert.deepEqual(rowOf(d, ids.bob)?.gradeReport, { status: 'failed', sentScore: null, sentAt: null, lastError: 'The LMS said: unknown sourcedid' });
      assert.equal(rowOf(d, ids.carol)?.gradeReport, null);
    });

    it('searches by name, username or email, without changing the counts', async () => {
      for (const [q, who] of [
        ['alice', ['alice']],
        ['BBAK', ['bob']],
        ['uni.example', ['alice', 'bob', 'carol']],
        ['nobody', []],
      ] as const) {
        const d = await dashboard(`?q=${encodeURIComponent(q)}`);
        assert.deepEqual(d.students.map((s) => s.userId), who.map((w) => ids[w]), q);
        assert.equal(d.counts.students, 3);
      }
    });

    it('shows one student’s grade reports, and no other exam’s student', async () => {
      await t.store.db
        .insertInto('grade_reports')
        .values({ resource_id: resourceId, user_id: ids.alice, job_id: null, operation: 'replace', score: 1, outcome: 'accepted', http_status: 200, detail: 'ok', tried_at: t.clock.now })
        .execute();
      const res = await api(t, instructor, 'GET', `/api/resource/students/${ids.alice}/grade-reports`);
      assert.equal(res.statusCode, 200, res.body);
      const reports = (res.json() as { reports: Array<{ userId: number; score: number; outcome: string }> }).reports;
      assert.deepEqual(reports.map((r) => [r.userId, r.score, r.outcome]), [[ids.alice, 1, 'accepted']]);
      assert.equal((await api(t, instructor, 'GET', `/api/resource/students/${ids.dave}/grade-reports`)).statusCode, 404);
    });

    it('starts "report scores" as a job that the page can follow; another exam cannot see it', async () => {
      const res = await api(t, instructor, 'POST', '/api/resource/report-scores');
      assert.equal(res.statusCode, 202, res.body);
      const { jobId } = res.json() as { jobId: number };
      const job = await api(t, instructor, 'GET', `/api/resource/jobs/${jobId}`);
      assert.equal(job.statusCode, 200, job.body);
      assert.deepEqual(
        (({ id, kind: k, state }) => ({ id, kind: k, state }))(job.json() as JobBody),
        { id: jobId, kind: 'report-all', state: 'pending' },
      );

      // What the page reads as the job goes on (the job itself is the grade helpers' to test).
      const result = { sent: 1, failed: [{ userId: ids.bob, name: 'Bob Baker', reason: 'unknown sourcedid' }], nothingToSend: 1, retrying: 1 };
      await t.store.db
        .updateTable('jobs')
        .set({ state: 'done', progress: JSON.stringify({ done: 3, total: 3, sent: 1, failed: 1 }), result: JSON.stringify(result), finished_at: t.clock.now })
        .where('id', '=', jobId)
        .execute();
      const done = (await api(t, instructor, 'GET', `/api/resource/jobs/${jobId}`)).json() as JobBody;
      assert.equal(done.state, 'done');
      assert.deepEqual(done.progress, { done: 3, total: 3, sent: 1, failed: 1 });
      assert.deepEqual(done.result, result);

      assert.equal((await api(t, otherInstructor, 'GET', `/api/resource/jobs/${jobId}`)).statusCode, 404);
      assert.equal((await api(t, instructor, 'GET', '/api/resource/jobs/999999')).statusCode, 404);
    });

    it('is for instructors only (403 for students)', async () => {
      assert.equal((await api(t, alice, 'GET', '/api/resource/dashboard')).statusCode, 403);
      assert.equal((await api(t, alice, 'POST', '/api/resource/report-scores')).statusCode, 403);
      assert.equal((await api(t, alice, 'GET', '/api/resource/jobs/1')).statusCode, 403);
      assert.equal((await api(t, alice, 'GET', `/api/resource/students/${ids.alice}/grade-reports`)).statusCode, 403);
    });
  });
}
