import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { newConsumer } from '../helpers/launch.js';
import { api, launchInCourse, sendScore, setUpExam, settingsForm, startAttempt, userIdOf } from '../helpers/instructor-setup.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';
import { databaseKinds } from '../helpers/test-store.js';

interface TokensBody {
  userId: number;
  accessTokens: number;
}

interface DashboardBody {
  students: Array<{ userId: number; attempts: number; accessTokens: number }>;
}

for (const kind of databaseKinds()) {
  describe(`access tokens on ${kind}`, () => {
    let t: TestApp;
    let instructor: string;
    let student: string;
    let studentId: number;
    let otherCourseInstructor: string;
    let otherLmsInstructor: string;
    let otherCourseStudentId: number;

    before(async () => {
      t = await createTestApp(kind, {}, { jobs: false });
      const lms = await newConsumer(t);
      instructor = await setUpExam(t, lms);
      student = await launchInCourse(t, lms, { userId: 'limited', role: 'Learner' });
      studentId = await userIdOf(t, 'limited');
      otherCourseInstructor = await setUpExam(t, lms, { linkId: 'other-link', contextId: 'course-2', userId: 'other-teacher' });
      await launchInCourse(t, lms, { userId: 'elsewhere', role: 'Learner', linkId: 'other-link', contextId: 'course-2' });
      otherCourseStudentId = await userIdOf(t, 'elsewhere');
      otherLmsInstructor = await setUpExam(t, await newConsumer(t, 'other-lms'));
      const saved = await api(t, instructor, 'PUT', '/api/resource/settings', settingsForm({ maxAttempts: 1 }));
      assert.equal(saved.statusCode, 200, saved.body);
    });
    after(async () => t.close());

    async function row(userId: number) {
      const res = await api(t, instructor, 'GET', '/api/resource/dashboard');
      assert.equal(res.statusCode, 200, res.body);
      const found = (res.json() as DashboardBody).students.find((s) => s.userId === userId);
      assert.ok(found, `student ${userId} is on the dashboard`);
      return found;
    }

    it('a token lets a student at the attempt limit start one more; revoking keeps the attempts', async () => {
      const first = await startAttempt(t, student);
      assert.equal(first.statusCode, 201, first.body);
      await sendScore(t, student, (first.json() as { attempt: { id: number } }).attempt.id, 2, true);
      assert.equal((await startAttempt(t, student)).statusCode, 403, 'the limit of 1 is reached');

      const granted = await api(t, instructor, 'POST', `/api/resource/students/${studentId}/access-tokens`);
      assert.equal(granted.statusCode, 200, granted.body);
      assert.deepEqual(granted.json() as TokensBody, { userId: studentId, accessTokens: 1 });
      assert.equal((await row(studentId)).accessTokens, 1);

      const second = await startAttempt(t, student);
      assert.equal(second.statusCode, 201, second.body);
      await sendScore(t, student, (second.json() as { attempt: { id: number } }).attempt.id, 3, true);
      assert.equal((await startAttempt(t, student)).statusCode, 403, 'one token, one attempt');

      const revoked = await api(t, instructor, 'DELETE', `/api/resource/students/${studentId}/access-tokens`);
      assert.equal(revoked.statusCode, 200, revoked.body);
      assert.deepEqual(revoked.json() as TokensBody, { userId: studentId, accessTokens: 0 });
      const after = await row(studentId);
      assert.equal(after.accessTokens, 0);
      assert.equal(after.attempts, 2, 'the attempt started with the token stays');
    });

    it('revoking removes the newest token only', async () => {
      await api(t, instructor, 'POST', `/api/resource/students/${studentId}/access-tokens`);
      t.clock.now += 1000;
      await api(t, instructor, 'POST', `/api/resource/students/${studentId}/access-tokens`);
      const tokens = async () =>
        t.store.db.selectFrom('access_tokens').select(['id', 'created_at']).where('user_id', '=', studentId).orderBy('id').execute();
      const before = await tokens();
      assert.equal(before.length, 2);
      await api(t, instructor, 'DELETE', `/api/resource/students/${studentId}/access-tokens`);
      assert.deepEqual(await tokens(), before.slice(0, 1));
      await api(t, instructor, 'DELETE', `/api/resource/students/${studentId}/access-tokens`);
    });

    it('revoking when there is none answers 409', async () => {
      const res = await api(t, instructor, 'DELETE', `/api/resource/students/${studentId}/access-tokens`);
      assert.equal(res.statusCode, 409, res.body);
    });

    it('queues apply-access with each change of tokens', async () => {
      const resourceId = (await t.store.db.selectFrom('attempts').select('resource_id').where('user_id', '=', studentId).executeTakeFirstOrThrow()).resource_id;
      await t.store.db.deleteFrom('jobs').execute();
      await api(t, instructor, 'POST', `/api/resource/students/${studentId}/access-tokens`);
      const jobs = await t.store.db.selectFrom('jobs').select(['key', 'state']).execute();
      assert.deepEqual(jobs, [{ key: `apply-access:${resourceId}`, state: 'pending' }]);
      await api(t, instructor, 'DELETE', `/api/resource/students/${studentId}/access-tokens`);
    });

    it('students may not grant or revoke (403)', async () => {
      assert.equal((await api(t, student, 'POST', `/api/resource/students/${studentId}/access-tokens`)).statusCode, 403);
      assert.equal((await api(t, student, 'DELETE', `/api/resource/students/${studentId}/access-tokens`)).statusCode, 403);
    });

    it('a student of another course or another LMS cannot be reached (404), nor can an unknown id', async () => {
      for (const [token, userId] of [
        [instructor, otherCourseStudentId],
        [otherCourseInstructor, studentId],
        [otherLmsInstructor, studentId],
        [instructor, 999_999],
      ] as const) {
        const res = await api(t, token, 'POST', `/api/resource/students/${userId}/access-tokens`);
        assert.equal(res.statusCode, 404, res.body);
      }
      const count = await t.store.db.selectFrom('access_tokens').select('id').execute();
      assert.equal(count.length, 0, 'no token was stored');
    });

    it('refuses a user id that is not a number', async () => {
      assert.equal((await api(t, instructor, 'POST', '/api/resource/students/abc/access-tokens')).statusCode, 400);
    });
  });
}
