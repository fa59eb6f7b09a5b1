import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildSamplePackage } from '../../src/scorm/sample-packages.js';
import { bearer, uploadAs } from '../helpers/launch.js';
import { launchToken, registerWithTool } from '../helpers/lti13-tool-flow.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';
import { type LaunchInput, ROLE, startTestPlatform, type TestPlatform } from '../helpers/test-platform/index.js';
import { databaseKinds } from '../helpers/test-store.js';

const CLIENT = 'review-client';

interface ReviewTarget {
  attemptId: number | null;
  student: { userId: number | null; name: string | null };
}

for (const kind of databaseKinds()) {
  describe(`LTI 1.3 submission review (${kind})`, () => {
    let t: TestApp;
    let platform: TestPlatform;
    const latest = new Map<string, number>();

    before(async () => {
      t = await createTestApp(kind);
      platform = await startTestPlatform();
      await registerWithTool(t, platform, CLIENT);
      // A review request names the gradebook column of the submission.
      platform.createLineItem('course-1', { label: 'Exam', scoreMaximum: 100, resourceLinkId: 'link-1' });
      const teacher = await launch({ sub: 'instructor-1', roles: [ROLE.instructor] });
      const upload = await uploadAs(t, teacher, await buildSamplePackage('2004'));
      assert.equal(upload.statusCode, 201, upload.body);
      // Ada makes two attempts (the first ended), Ben one.
      for (const [sub, count] of [['student-ada', 2], ['student-ben', 1]] as const) {
        const token = await launch({ sub, person: { name: sub } });
        for (let i = 0; i < count; i++) {
          t.clock.now += 1000;
          const started = await t.app.inject({ method: 'POST', url: '/api/attempts', headers: bearer(token) });
          assert.equal(started.statusCode, 201, started.body);
          const id = (started.json() as { attempt: { id: number } }).attempt.id;
          latest.set(sub, id);
          if (i < count - 1) await t.store.db.updateTable('attempts').set({ ended_at: t.clock.now }).where('id', '=', id).execute();
        }
      }
    });
    after(async () => {
      await platform.close();
      await t.close();
    });

    const launch = (input: LaunchInput): Promise<string> => launchToken(t, platform, CLIENT, { resourceLink: { id: 'link-1', title: 'Exam' }, ...input });

    function review(sub: string, roles: string[], forUser: string): Promise<string> {
      return launch({ kind: 'submission_review', sub, roles, forUser: { user_id: forUser, roles: [ROLE.learner] } });
    }

    async function target(token: string): Promise<{ status: number; body: ReviewTarget }> {
      const res = await t.app.inject({ method: 'GET', url: '/api/resource/submission-review', headers: bearer(token) });
      return { status: res.statusCode, body: res.json() as ReviewTarget };
    }

    it("opens the for_user student's latest attempt for an instructor, in review mode", async () => {
      const token = await review('instructor-1', [ROLE.instructor], 'student-ada');
      const { status, body } = await target(token);
      assert.equal(status, 200);
      assert.equal(body.attemptId, latest.get('student-ada'));
      assert.equal(body.student.name, 'student-ada');
      const opened = await t.app.inject({ method: 'GET', url: `/api/attempts/${body.attemptId}/launch?mode=review`, headers: bearer(token) });
      assert.equal(opened.statusCode, 200, opened.body);
      assert.equal((opened.json() as { mode: string }).mode, 'review');
    });

    it("gives a student their own attempt, whoever for_user names", async () => {
      const token = await review('student-ben', [ROLE.learner], 'student-ada');
      const { status, body } = await target(token);
      assert.equal(status, 200);
      assert.equal(body.attemptId, latest.get('student-ben'));
    });

    it('answers no attempt for a student unknown here or without attempts', async () => {
      const unknown = await target(await review('instructor-1', [ROLE.instructor], 'student-nobody'));
      assert.deepEqual(unknown.body, { attemptId: null, student: { userId: null, name: null } });
      const idle = await launch({ sub: 'student-cy', person: { name: 'Cy' } });
      assert.ok(idle);
      const none = await target(await review('instructor-1', [ROLE.instructor], 'student-cy'));
      assert.equal(none.body.attemptId, null);
      assert.equal(none.body.student.name, 'Cy');
    });

    it('is only for submission review sessions', async () => {
      const ordinary = await launch({ sub: 'instructor-1', roles: [ROLE.instructor] });
      const { status } = await target(ordinary);
      assert.equal(status, 400);
    });
  });
}
