/**
 * Deep linking requests name no resource link, so their session hangs off one placeholder link
 * per course. Those rows are bookkeeping: the link counts instructors and admins see (the deep
 * linking page's "used by N links", the admin platform and consumer lists, the delete
 * confirmations) count only the links an LMS really placed.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import { createAdmin } from '../../src/commands/create-admin.js';
import { listConsumers } from '../../src/commands/list-consumers.js';
import { listPlatforms } from '../../src/commands/list-platforms.js';
import { buildSamplePackage } from '../../src/scorm/sample-packages.js';
import { DEEP_LINKING_PLACEHOLDER_PREFIX } from '../../src/store/repositories/deep-linking-placeholders.js';
import { launchInCourse, setUpExam } from '../helpers/instructor-setup.js';
import { bearer, uploadAs, uploadSampleExam } from '../helpers/launch.js';
import { registerConsumer, type TestConsumer } from '../helpers/lti11-consumer.js';
import { launchToken, startPlatformFor } from '../helpers/lti13-tool-flow.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';
import { type LaunchInput, ROLE, type TestPlatform } from '../helpers/test-platform/index.js';
import { databaseKinds } from '../helpers/test-store.js';

const CLIENT = 'placeholder-client';
const ADMIN = { username: 'root', password: 'a long enough password' };

for (const kind of databaseKinds()) {
  describe(`deep linking placeholder links are not counted as links (${kind})`, () => {
    let t: TestApp;
    let platform: TestPlatform;
    let legacy: TestConsumer;
    let examId: number;
    let adminCookie = '';

    before(async () => {
      t = await createTestApp(kind);
      platform = await startPlatformFor(t, CLIENT);
      // One real link in course 1, with an exam.
      const teacher = await launch({ sub: 'instructor-1', roles: [ROLE.instructor], resourceLink: { id: 'real-link', title: 'Exam' } });
      examId = await uploadSampleExam(t, teacher);
      // An LTI 1.1 consumer with one real link, that 1.3 launches migrate into.
      legacy = await registerConsumer(t.store.db, t.config.secretKey, 'old-lms');
      t.clock.now = Date.now();
      await setUpExam(t, legacy, { linkId: 'legacy-link', contextId: 'legacy-course', userId: 'legacy-teacher' });
      await launchInCourse(t, legacy, { userId: 'legacy-teacher', role: 'Instructor', linkId: 'legacy-link', contextId: 'legacy-course' });

      await createAdmin(t.store.db, ADMIN, t.clock.now);
      const login = await t.app.inject({ method: 'POST', url: '/admin/login', headers: { host: 'tool.test', origin: 'http://tool.test' }, payload: ADMIN });
      assert.equal(login.statusCode, 303, login.body);
      const raw = login.headers['set-cookie'];
      const cookie = (Array.isArray(raw) ? raw : [raw ?? '']).find((c) => c.startsWith('lti_exam_admin='));
      assert.ok(cookie, 'an admin cookie is set');
      adminCookie = cookie.split(';')[0] ?? '';
    });
    after(async () => {
      await platform.close();
      await t.close();
    });

    async function launch(input: LaunchInput): Promise<string> {
      // The platform signs with the wall clock: the tool's clock must agree.
      t.clock.now = Date.now();
      return launchToken(t, platform, CLIENT, input);
    }

    function adminPage(url: string): Promise<LightMyRequestResponse> {
      return t.app.inject({ method: 'GET', url, headers: { host: 'tool.test', cookie: adminCookie } });
    }

    it('leaves the placeholders out of every link count', async () => {
      // A deep linking request whose custom history names the real link: its placeholder must not
      // adopt the exam (only links the LMS placed do), and the counts leave placeholders out anyway.
      const dl = await launch({ kind: 'deep_linking', sub: 'instructor-1', roles: [ROLE.instructor], custom: { resource_link_id_history: 'real-link' } });
      await launch({ kind: 'deep_linking', sub: 'instructor-1', roles: [ROLE.instructor], context: { id: 'course-2', title: 'Course 2' } });
      // A migrated deep linking request lands in the LTI 1.1 consumer's tenant, with its own placeholder.
      await launch({
        kind: 'deep_linking',
        sub: 'instructor-9',
        roles: [ROLE.instructor],
        context: { id: 'course-3', title: 'Course 3' },
        lti1p1: { userId: 'legacy-teacher', consumerKey: legacy.key, consumerSecret: legacy.secret, contextId: 'legacy-course' },
      });
      const placeholders = await t.store.db
        .selectFrom('resource_links')
        .select(['consumer_id', 'resource_id'])
        .where('lti_resource_link_id', 'like', `${DEEP_LINKING_PLACEHOLDER_PREFIX}%`)
        .execute();
      assert.equal(placeholders.length, 3, 'the requests made their placeholders');
      assert.ok(
        placeholders.every((p) => p.resource_id === null),
        'no placeholder adopts an exam through the history',
      );
      // Nor can the deep linking session give its placeholder an exam through the link's own upload.
      const upload = await uploadAs(t, dl, await buildSamplePackage('2004'));
      assert.equal(upload.statusCode, 403, upload.body);
      assert.match(upload.body, /deep linking page/);
      // Rows recorded before placeholders stopped adopting exams may still open one: they must not count either.
      await t.store.db.updateTable('resource_links').set({ resource_id: examId }).where('lti_resource_link_id', 'like', `${DEEP_LINKING_PLACEHOLDER_PREFIX}%`).execute();

      const list = await t.app.inject({ method: 'GET', url: '/api/deep-linking', headers: bearer(dl) });
      assert.equal(list.statusCode, 200, list.body);
      const exam = (list.json() as { resources: Array<{ id: number; links: number }> }).resources.find((r) => r.id === examId);
      assert.equal(exam?.links, 1, 'only the real link opens the exam');

      const [listed] = (await listPlatforms(t.store.db)).filter((p) => p.clientId === CLIENT);
      assert.equal(listed?.resourceLinks, 1);
      const consumer = (await listConsumers(t.store.db)).find((c) => c.key === legacy.key);
      assert.equal(consumer?.resourceLinks, 1);

      const platformsPage = await adminPage('/admin/platforms');
      assert.equal(platformsPage.statusCode, 200);
      assert.match(platformsPage.body, /<th scope="row">Recorded<\/th><td>1 link,/);
      const confirm = await adminPage(`/admin/platforms/${listed?.id}/delete`);
      assert.match(confirm.body, /<strong>1 link<\/strong>/);
      const consumerDelete = await adminPage(`/admin/consumers/${encodeURIComponent(legacy.key)}/delete`);
      assert.equal(consumerDelete.statusCode, 200, consumerDelete.body);
      assert.match(consumerDelete.body, /<strong>1 link<\/strong>/);
    });
  });
}
