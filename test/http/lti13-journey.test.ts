import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import { decodeProtectedHeader } from 'jose';
import { createAdmin } from '../../src/commands/create-admin.js';
import { gradeJobKey } from '../../src/commands/grade-refresh.js';
import { listPlatforms } from '../../src/commands/list-platforms.js';
import { buildSamplePackage } from '../../src/scorm/sample-packages.js';
import { AttemptDriver, runJobsToEnd } from '../helpers/graded-launch.js';
import { bearer, multipartUpload } from '../helpers/launch.js';
import { cookieHeader, cookiesOf, tokenFrom } from '../helpers/lti13-tool-flow.js';
import { createTestApp, listenOnLoopback, type TestApp } from '../helpers/test-app.js';
import {
  type Authorization,
  type CreatedLink,
  CLAIM,
  type LoginInitiation,
  ROLE,
  SCOPE,
  startTestPlatform,
  type TestPlatform,
} from '../helpers/test-platform/index.js';
import { databaseKinds } from '../helpers/test-store.js';

const COURSE = { id: 'course-journey', label: 'J101', title: 'Journey course' };
const INSTRUCTOR = 'instructor-journey';
const STUDENT = 'student-journey';
const EXAM_TITLE = 'Journey exam';

/**
 * What the sample exam (content/sample-exam/exam.js) sends over SCORM 2004, batch by batch: its
 * start, one batch per answer (q1 right, q2 wrong, q3 right) and the end of the exam, 2 of 3.
 */
const SAMPLE_EXAM_SESSION: Array<Record<string, string>> = [
  {
    'cmi.completion_status': 'incomplete',
    'cmi.success_status': 'unknown',
    'cmi.score.min': '0',
    'cmi.score.max': '3',
    'cmi.score.raw': '0',
    'cmi.score.scaled': '0.0000',
    ...Object.fromEntries(
      ['q1', 'q2', 'q3'].flatMap((id, i) => [
        [`cmi.objectives.${i}.id`, id],
        [`cmi.objectives.${i}.score.min`, '0'],
        [`cmi.objectives.${i}.score.max`, '1'],
        [`cmi.objectives.${i}.score.raw`, '0'],
        [`cmi.interactions.${i}.id`, id],
        [`cmi.interactions.${i}.type`, ['numeric', 'choice', 'fill-in'][i] as string],
      ]),
    ),
    'cmi.suspend_data': '{"answers":[null,null,null],"current":0}',
    'cmi.location': '1',
    'cmi.exit': 'suspend',
  },
  ...[
    ['42', 'correct', '1', '1'],
    ['c', 'incorrect', '0', '1'],
    ['Au', 'correct', '1', '2'],
  ].map(([answer, result, raw, total], i) => ({
    [`cmi.interactions.${i}.learner_response`]: answer as string,
    [`cmi.interactions.${i}.result`]: result as string,
    [`cmi.objectives.${i}.score.raw`]: raw as string,
    'cmi.score.raw': total as string,
    'cmi.score.scaled': (Number(total) / 3).toFixed(4),
    'cmi.location': String(i + 1),
  })),
  {
    'cmi.completion_status': 'completed',
    'cmi.success_status': 'passed',
    'cmi.score.min': '0',
    'cmi.score.max': '3',
    'cmi.score.raw': '2',
    'cmi.score.scaled': '0.6667',
    'cmi.exit': 'normal',
    'cmi.session_time': 'PT95.20S',
  },
];

function pathOf(url: string): string {
  const u = new URL(url);
  return u.pathname + u.search;
}

function adminCookieOf(res: LightMyRequestResponse): string {
  const cookie = Object.entries(cookiesOf(res)).find(([name]) => name === 'lti_exam_admin');
  assert.ok(cookie, 'an admin cookie is set');
  return `${cookie[0]}=${cookie[1]}`;
}

for (const kind of databaseKinds()) {
  describe(`LTI 1.3 journey from registration to grade, the test platform playing the LMS (${kind})`, () => {
    let t: TestApp;
    let platform: TestPlatform;
    let base: string;
    let host: string;
    // What each step hands to the next.
    let clientId = '';
    let resourceId = 0;
    let link: CreatedLink | undefined;

    before(async () => {
      t = await createTestApp(kind, { INSTANCE_NAME: 'Journey exams' });
      // No PUBLIC_URL: every URL we hand the platform is the loopback origin it reaches us on,
      // so it fetches the JWKS we really publish.
      base = await listenOnLoopback(t);
      host = new URL(base).host;
      platform = await startTestPlatform({ now: () => t.clock.now });
    });
    after(async () => {
      await platform.close();
      await t.close();
    });

    /** Our published key ids, read over HTTP as the platform reads them. */
    async function publishedKids(): Promise<string[]> {
      const res = await fetch(`${base}/lti/jwks`);
      assert.equal(res.status, 200);
      return ((await res.json()) as { keys: Array<{ kid: string }> }).keys.map((k) => k.kid);
    }

    /** The browser's part of a launch: the login initiation, the platform's /auth, the form post back to us. */
    async function launchThrough(init: LoginInitiation): Promise<{ token: string; auth: Authorization }> {
      assert.equal(new URL(init.url).origin, base, 'the platform opens the login URL we registered');
      const login = await t.app.inject({ method: 'GET', url: pathOf(init.url), headers: { host } });
      assert.equal(login.statusCode, 302, login.body);
      const auth = await platform.authorize(String(login.headers.location));
      assert.equal(auth.redirectUri, `${base}/lti/launch`);
      const cookies = cookiesOf(login);
      const launch = await t.app.inject({
        method: 'POST',
        url: pathOf(auth.redirectUri),
        headers: { host, 'content-type': 'application/x-www-form-urlencoded', cookie: cookieHeader(cookies) },
        payload: new URLSearchParams(auth.form).toString(),
      });
      assert.equal(launch.statusCode, 303, launch.body);
      return { token: tokenFrom(launch.headers.location), auth };
    }

    it('1. an admin issues a one-time registration URL and the platform registers itself with it', async () => {
      await createAdmin(t.store.db, { username: 'admin', password: 'a long enough password' }, t.clock.now);
      const form = { host, origin: base };
      const login = await t.app.inject({ method: 'POST', url: '/admin/login', headers: form, payload: { username: 'admin', password: 'a long enough password' } });
      assert.equal(login.statusCode, 303, login.body);
      const cookie = adminCookieOf(login);
      const page = await t.app.inject({ method: 'GET', url: '/admin/platforms', headers: { host, cookie } });
      const csrf = /<input type="hidden" name="csrf" value="([^"]+)">/.exec(page.body)?.[1];
      assert.ok(csrf, 'the platforms page carries a CSRF field');
      const issued = await t.app.inject({ method: 'POST', url: '/admin/platforms/registration-url', headers: { ...form, cookie }, payload: { csrf } });
      assert.equal(issued.statusCode, 201, issued.body);
      const registrationUrl = /<input [^>]*id="registration-url"[^>]*value="([^"]+)"/.exec(issued.body)?.[1];
      assert.ok(registrationUrl, 'the page shows the registration URL');
      assert.equal(new URL(registrationUrl).origin, base);

      // The LMS admin pastes it: the platform opens it with its openid_configuration and token.
      const opened = await t.app.inject({ method: 'GET', url: pathOf(platform.registrationLaunchUrl(registrationUrl)), headers: { host } });
      assert.equal(opened.statusCode, 200, opened.body);
      const record = platform.registrations().at(-1);
      assert.ok(record?.accepted, record?.detail ?? 'the platform saw no registration');
      assert.ok(record.clientId !== null && record.deploymentId !== null);
      clientId = record.clientId;

      // The platform knows us by what we sent; we know it by what it answered.
      const client = platform.client(clientId);
      assert.equal(client.loginUrl, `${base}/lti/login`);
      assert.deepEqual(client.redirectUris, [`${base}/lti/launch`]);
      assert.equal(client.toolJwksUrl, `${base}/lti/jwks`);
      for (const scope of [SCOPE.lineItem, SCOPE.score]) assert.ok(client.allowedScopes.includes(scope), scope);
      const stored = (await listPlatforms(t.store.db)).filter((p) => p.clientId === clientId);
      assert.equal(stored.length, 1);
      assert.equal(stored[0]?.issuer, platform.issuer);
      assert.equal(stored[0]?.tokenUrl, platform.tokenUrl);
      assert.equal(stored[0]?.jwksUrl, platform.jwksUrl);
      assert.deepEqual(stored[0]?.deployments, [record.deploymentId]);
    });

    it('2. an instructor deep links a new exam from a package; the platform makes the link and its line item', async () => {
      assert.ok(clientId, 'registration came first');
      const init = platform.placementLogin('deep_linking', {
        clientId,
        loginHint: INSTRUCTOR,
        messageHint: 'add-content-1',
        sub: INSTRUCTOR,
        roles: [ROLE.instructor],
        context: COURSE,
      });
      const { token, auth } = await launchThrough(init);
      const data = (auth.payload[CLAIM.deepLinkingSettings] as { data: string }).data;
      const session = await t.app.inject({ method: 'GET', url: '/api/session', headers: bearer(token) });
      assert.equal((session.json() as { message: string }).message, 'deep-linking');

      const { body, contentType } = multipartUpload(await buildSamplePackage('2004'), { title: EXAM_TITLE });
      const created = await t.app.inject({ method: 'POST', url: '/api/deep-linking/resources', headers: { ...bearer(token), 'content-type': contentType }, payload: body });
      assert.equal(created.statusCode, 201, created.body);
      resourceId = (created.json() as { resource: { id: number } }).resource.id;

      // The page the tool answers posts the signed response to the platform, as the browser would.
      const page = await t.app.inject({
        method: 'POST',
        url: '/api/deep-linking/respond',
        headers: { host, 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({ resourceId: String(resourceId), token }).toString(),
      });
      assert.equal(page.statusCode, 200, page.body);
      const action = /<form id="deep-link-form" method="post" action="([^"]+)">/.exec(page.body)?.[1];
      const jwt = /name="JWT" value="([^"]+)"/.exec(page.body)?.[1];
      assert.equal(action, platform.deepLinkReturnUrl);
      assert.ok(jwt);
      const posted = await fetch(action, { method: 'POST', body: new URLSearchParams({ JWT: jwt }) });
      const record = platform.deepLinkReturns().at(-1);
      assert.equal(posted.status, 200, record?.detail ?? '');
      // Verified with jose against the jwks_uri we registered: our published key signed it.
      assert.ok(record?.accepted, record?.detail ?? 'no deep linking response');
      assert.equal(record.clientId, clientId);
      assert.ok((await publishedKids()).includes(String(decodeProtectedHeader(jwt).kid)));
      assert.equal(record.data, data);
      assert.equal(record.items.length, 1);
      const item = record.items[0] as { type: string; url: string; title: string; custom: Record<string, string>; lineItem: Record<string, unknown> };
      assert.equal(item.type, 'ltiResourceLink');
      assert.equal(item.url, `${base}/lti/launch`);
      assert.equal(item.title, EXAM_TITLE);
      assert.deepEqual(item.custom, { resource_id: String(resourceId) });
      assert.equal(item.lineItem.scoreMaximum, 100);
      assert.equal(item.lineItem.resourceId, String(resourceId));

      link = record.links[0];
      assert.ok(link?.lineItemId, 'the platform made the declared line item');
      assert.equal(link.contextId, COURSE.id);
      const columns = platform.lineItems(COURSE.id);
      assert.equal(columns.length, 1);
      assert.deepEqual(
        [columns[0]?.id, columns[0]?.label, columns[0]?.scoreMaximum, columns[0]?.resourceId, columns[0]?.tag, columns[0]?.resourceLinkId],
        [link.lineItemId, item.lineItem.label, 100, String(resourceId), item.lineItem.tag, link.resourceLinkId],
      );
    });

    it('3. a student opens that link and takes the sample exam to the end', async () => {
      assert.ok(link?.lineItemId, 'the link came from deep linking');
      const init = platform.linkLogin(link.resourceLinkId, { loginHint: STUDENT, messageHint: 'open-link-1', sub: STUDENT, roles: [ROLE.learner], context: COURSE });
      const { token, auth } = await launchThrough(init);
      const agsClaim = auth.payload[CLAIM.ags] as { lineitem: string; scope: string[] };
      assert.equal(agsClaim.lineitem, link.lineItemId);
      assert.ok(agsClaim.scope.includes(SCOPE.score));
      // The item's custom parameters over the tool-level ones it registered, with no copy history.
      assert.deepEqual(auth.payload[CLAIM.custom], { context_id_history: '', resource_link_id_history: '', resource_id: String(resourceId) });

      const landing = await t.app.inject({ method: 'GET', url: '/api/resource', headers: bearer(token) });
      assert.equal(landing.statusCode, 200, landing.body);
      const opened = landing.json() as { resource: { id: number; title: string } | null; canStartNew: boolean };
      assert.equal(opened.resource?.id, resourceId, 'the new link opens the exam made by deep linking');
      assert.equal(opened.canStartNew, true);

      const attempt = await AttemptDriver.start(t, token);
      for (const [i, batch] of SAMPLE_EXAM_SESSION.entries()) await attempt.send(batch, i === SAMPLE_EXAM_SESSION.length - 1);
      const done = (await t.app.inject({ method: 'GET', url: '/api/resource', headers: bearer(token) })).json() as {
        attempts: Array<{ id: number; score: { scaled: number | null } | null }>;
      };
      const mine = done.attempts.find((a) => a.id === attempt.attemptId);
      assert.equal(mine?.score?.scaled, 0.6667);

      const user = await t.store.db.selectFrom('users').select('id').where('lti_user_id', '=', STUDENT).executeTakeFirstOrThrow();
      await runJobsToEnd(t, [gradeJobKey(resourceId, Number(user.id))]);
    });

    it('4. the score arrives on the platform line item, with a token whose assertion the platform verified with our JWKS', async () => {
      assert.ok(link?.lineItemId, 'the link came from deep linking');
      const posts = platform.scores({ lineItemId: link.lineItemId, userId: STUDENT });
      const final = posts.find((s) => s.scoreGiven === 66.67);
      assert.ok(final, `no score of 66.67 among ${JSON.stringify(posts.map((s) => [s.scoreGiven, s.activityProgress]))}`);
      assert.equal(final.scoreMaximum, 100);
      assert.equal(final.activityProgress, 'Completed');
      assert.equal(final.gradingProgress, 'FullyGraded');
      assert.equal(final.clientId, clientId);
      assert.equal(final.contextId, COURSE.id);
      // The platform's gradebook column shows it, and we made no column of our own.
      assert.deepEqual(
        platform.results(link.lineItemId).map((r) => [r.userId, r.resultScore, r.resultMaximum]),
        [[STUDENT, 66.67, 100]],
      );
      assert.deepEqual(platform.lineItems(COURSE.id).map((i) => i.id), [link.lineItemId]);

      // The bearer token it was posted with came from a client assertion verified against /lti/jwks.
      assert.ok(final.grantId, 'the platform recorded the token the score came with');
      const grant = platform.tokenRequests().find((r) => r.grantId === final.grantId);
      assert.ok(grant, 'the token request that granted it is on record');
      assert.equal(grant.status, 200);
      assert.equal(grant.clientId, clientId);
      assert.equal(grant.verifiedWith, `${base}/lti/jwks`);
      assert.ok(grant.grantedScopes.includes(SCOPE.score));
      assert.ok(grant.assertionKid !== null && (await publishedKids()).includes(grant.assertionKid), `kid ${String(grant.assertionKid)} is not published`);
    });
  });
}
