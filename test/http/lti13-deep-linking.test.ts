import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildSamplePackage } from '../../src/scorm/sample-packages.js';
import { bearer, multipartUpload, uploadSampleExam } from '../helpers/launch.js';
import { TOOL_HOST, TOOL_LAUNCH_URL, launchToken, startPlatformFor } from '../helpers/lti13-tool-flow.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';
import { type DeepLinkReturnRecord, type LaunchInput, ROLE, type TestPlatform } from '../helpers/test-platform/index.js';
import { databaseKinds } from '../helpers/test-store.js';

const CLIENT = 'deep-linking-client';

for (const kind of databaseKinds()) {
  describe(`LTI 1.3 deep linking (${kind})`, () => {
    let t: TestApp;
    let platform: TestPlatform;
    let existingResourceId: number;

    before(async () => {
      t = await createTestApp(kind);
      // The platform checks our deep linking answers against the JWKS we really publish.
      platform = await startPlatformFor(t, CLIENT);
      // An exam already in course 1, set up through an ordinary link.
      const teacher = await launch({ sub: 'instructor-1', roles: [ROLE.instructor], resourceLink: { id: 'old-link', title: 'Old exam' } });
      existingResourceId = await uploadSampleExam(t, teacher);
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

    function deepLinkingLaunch(extra: LaunchInput = {}): Promise<string> {
      return launch({ kind: 'deep_linking', sub: 'instructor-1', roles: [ROLE.instructor], ...extra });
    }

    /** Posts the JWT to the platform's return URL as the page's form does; returns what the platform recorded. */
    async function postToPlatform(returnUrl: string, jwt: string): Promise<DeepLinkReturnRecord> {
      const res = await fetch(returnUrl, { method: 'POST', body: new URLSearchParams({ JWT: jwt }) });
      const record = platform.deepLinkReturns().at(-1);
      assert.ok(record, 'the platform recorded the answer');
      assert.equal(res.status, 200, record.detail ?? '');
      return record;
    }

    it('lists the exams of the course and links an existing one, declaring its line item and echoing data', async () => {
      const token = await deepLinkingLaunch({ deepLinking: { data: 'opaque-data-1' } });
      const session = await t.app.inject({ method: 'GET', url: '/api/session', headers: bearer(token) });
      assert.equal((session.json() as { message: string }).message, 'deep-linking');
      const list = await t.app.inject({ method: 'GET', url: '/api/deep-linking', headers: bearer(token) });
      assert.equal(list.statusCode, 200, list.body);
      const choices = list.json() as { context: { title: string }; resources: Array<{ id: number; title: string; hasPackage: boolean; links: number }> };
      assert.equal(choices.context.title, 'Course 1');
      assert.deepEqual(
        choices.resources.map((r) => [r.id, r.hasPackage, r.links]),
        [[existingResourceId, true, 1]],
      );

      const answer = await t.app.inject({ method: 'POST', url: '/api/deep-linking/respond', headers: { ...bearer(token), host: TOOL_HOST }, payload: { resourceId: existingResourceId } });
      assert.equal(answer.statusCode, 200, answer.body);
      const { returnUrl, jwt } = answer.json() as { returnUrl: string; jwt: string };
      assert.equal(returnUrl, platform.deepLinkReturnUrl);
      const record = await postToPlatform(returnUrl, jwt);
      assert.ok(record.accepted, record.detail ?? '');
      assert.equal(record.data, 'opaque-data-1');
      assert.equal(record.clientId, CLIENT);
      assert.equal(record.deploymentId, 'deployment-1');
      assert.equal(record.items.length, 1);
      const item = record.items[0] as Record<string, unknown>;
      assert.equal(item.type, 'ltiResourceLink');
      assert.equal(item.url, TOOL_LAUNCH_URL);
      assert.deepEqual(item.custom, { resource_id: String(existingResourceId) });
      assert.deepEqual(item.lineItem, { label: item.title, scoreMaximum: 100, resourceId: String(existingResourceId), tag: 'lti-exam-provider' });
      const link = record.links[0];
      assert.ok(link?.lineItemId, 'the platform made the declared gradebook column');
      const column = platform.lineItems('course-1').find((li) => li.id === link.lineItemId);
      assert.equal(column?.resourceId, String(existingResourceId));
      assert.equal(column?.scoreMaximum, 100);

      // The link the platform made now launches into the chosen exam.
      const student = await launch({ sub: 'student-1', resourceLink: { id: link.resourceLinkId, title: link.title ?? 'x' }, custom: link.custom });
      const info = await t.app.inject({ method: 'GET', url: '/api/resource', headers: bearer(student) });
      assert.equal((info.json() as { resource: { id: number } }).resource.id, existingResourceId);
    });

    it('creates a new exam from an uploaded package and links it through the auto-posting page', async () => {
      const data = 'opaque-data-2';
      const token = await deepLinkingLaunch({ deepLinking: { data } });
      const { body, contentType } = multipartUpload(await buildSamplePackage('2004'), { title: 'Midterm' });
      const created = await t.app.inject({ method: 'POST', url: '/api/deep-linking/resources', headers: { ...bearer(token), 'content-type': contentType }, payload: body });
      assert.equal(created.statusCode, 201, created.body);
      const newId = (created.json() as { resource: { id: number } }).resource.id;
      assert.notEqual(newId, existingResourceId);
      const list = await t.app.inject({ method: 'GET', url: '/api/deep-linking', headers: bearer(token) });
      const mine = (list.json() as { resources: Array<{ id: number; title: string; links: number }> }).resources.find((r) => r.id === newId);
      assert.deepEqual(mine && [mine.title, mine.links], ['Midterm', 0]);

      // The page posts the form itself: a form post with the token in the body, answered with HTML.
      const page = await t.app.inject({
        method: 'POST',
        url: '/api/deep-linking/respond',
        headers: { 'content-type': 'application/x-www-form-urlencoded', host: TOOL_HOST },
        payload: new URLSearchParams({ resourceId: String(newId), token }).toString(),
      });
      assert.equal(page.statusCode, 200, page.body);
      assert.match(page.headers['content-type'] as string, /text\/html/);
      assert.match(page.headers['content-security-policy'] as string, /script-src 'self'/);
      assert.match(page.body, /<script src="\/static\/deep-link-post\.js" defer><\/script>/);
      const action = /<form id="deep-link-form" method="post" action="([^"]+)">/.exec(page.body)?.[1];
      const jwt = /name="JWT" value="([^"]+)"/.exec(page.body)?.[1];
      assert.equal(action, platform.deepLinkReturnUrl);
      assert.ok(jwt);
      const record = await postToPlatform(action, jwt);
      assert.ok(record.accepted, record.detail ?? '');
      assert.equal(record.data, data);
      assert.equal((record.items[0] as { title: string }).title, 'Midterm');
      const link = record.links[0];
      assert.ok(link?.lineItemId);

      const teacher = await launch({ sub: 'instructor-1', roles: [ROLE.instructor], resourceLink: { id: link.resourceLinkId, title: 'Midterm' }, custom: link.custom });
      const info = await t.app.inject({ method: 'GET', url: '/api/resource', headers: bearer(teacher) });
      const resource = (info.json() as { resource: { id: number; package: { title: string } | null } }).resource;
      assert.equal(resource.id, newId);
      assert.ok(resource.package, 'the uploaded package is the exam');
    });

    it('keeps every course to its own exams', async () => {
      const other = await deepLinkingLaunch({ context: { id: 'course-2', title: 'Course 2' } });
      const { body, contentType } = multipartUpload(await buildSamplePackage('2004'), { title: 'Other course exam' });
      const created = await t.app.inject({ method: 'POST', url: '/api/deep-linking/resources', headers: { ...bearer(other), 'content-type': contentType }, payload: body });
      const foreignId = (created.json() as { resource: { id: number } }).resource.id;

      const token = await deepLinkingLaunch();
      const list = await t.app.inject({ method: 'GET', url: '/api/deep-linking', headers: bearer(token) });
      assert.ok(!(list.json() as { resources: Array<{ id: number }> }).resources.some((r) => r.id === foreignId));
      const refused = await t.app.inject({ method: 'POST', url: '/api/deep-linking/respond', headers: bearer(token), payload: { resourceId: foreignId } });
      assert.equal(refused.statusCode, 404);

      // A link whose custom resource_id names another course's exam stays unbound.
      const teacher = await launch({ sub: 'instructor-1', roles: [ROLE.instructor], resourceLink: { id: 'edited-link' }, custom: { resource_id: String(foreignId) } });
      const info = await t.app.inject({ method: 'GET', url: '/api/resource', headers: bearer(teacher) });
      assert.equal((info.json() as { resource: unknown }).resource, null);

      // A link already bound keeps its exam, even when its custom resource_id names another of the course.
      const another = (list.json() as { resources: Array<{ id: number }> }).resources.find((r) => r.id !== existingResourceId);
      assert.ok(another, 'the course has a second exam (made by the upload test)');
      const old = await launch({ sub: 'instructor-1', roles: [ROLE.instructor], resourceLink: { id: 'old-link' }, custom: { resource_id: String(another.id) } });
      const oldInfo = await t.app.inject({ method: 'GET', url: '/api/resource', headers: bearer(old) });
      assert.equal((oldInfo.json() as { resource: { id: number } }).resource.id, existingResourceId);
    });

    it('refuses students and sessions that are not deep linking requests', async () => {
      const student = await launch({ kind: 'deep_linking', sub: 'student-2', roles: [ROLE.learner] });
      const asStudent = await t.app.inject({ method: 'GET', url: '/api/deep-linking', headers: bearer(student) });
      assert.equal(asStudent.statusCode, 403);
      const ordinary = await launch({ sub: 'instructor-1', roles: [ROLE.instructor], resourceLink: { id: 'old-link' } });
      const notDeepLinking = await t.app.inject({ method: 'POST', url: '/api/deep-linking/respond', headers: bearer(ordinary), payload: { resourceId: existingResourceId } });
      assert.equal(notDeepLinking.statusCode, 403);
      const noToken = await t.app.inject({
        method: 'POST',
        url: '/api/deep-linking/respond',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: `resourceId=${existingResourceId}`,
      });
      assert.equal(noToken.statusCode, 401);
      assert.match(String(noToken.headers['content-type']), /json/);
      // The same refusal to the browser's own form post (a page load) is a page, not raw JSON.
      const expired = await t.app.inject({
        method: 'POST',
        url: '/api/deep-linking/respond',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'sec-fetch-mode': 'navigate' },
        payload: `resourceId=${existingResourceId}&token=expired`,
      });
      assert.equal(expired.statusCode, 401);
      assert.match(String(expired.headers['content-type']), /text\/html/);
      assert.match(expired.body, /<html/i);
    });
  });
}
