import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestApp, type TestApp } from '../helpers/test-app.js';
import { databaseKinds } from '../helpers/test-store.js';
import { ROLE, STORAGE_FRAME_NAME, startTestPlatform, tamperedState, type TestPlatform } from '../helpers/test-platform/index.js';
import {
  TOOL_HOST,
  TOOL_ORIGIN,
  cookiesOf,
  cookieHeader,
  errorCodeOf,
  fullLaunch,
  loginAndAuthorize,
  postLaunch,
  registerWithTool,
  sessionOf,
  startLogin,
  storedCounts,
  tokenFrom,
  tokenPayload,
} from '../helpers/lti13-tool-flow.js';

function dataAttribute(body: string, name: string): string {
  const value = new RegExp(`${name}="([^"]*)"`).exec(body)?.[1];
  assert.ok(value !== undefined, `page has no ${name}`);
  return value.replace(/&amp;/g, '&').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>');
}

function hiddenFields(body: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of body.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) {
    out[m[1] as string] = dataAttribute(`x="${m[2]}"`, 'x');
  }
  return out;
}

for (const kind of databaseKinds()) {
  describe(`LTI 1.3 login and launch on ${kind}`, () => {
    let t: TestApp;
    let platform: TestPlatform;
    let tenant: { platformId: number; consumerId: number };

    before(async () => {
      t = await createTestApp(kind);
      platform = await startTestPlatform({ now: () => t.clock.now });
      tenant = await registerWithTool(t, platform, 'client-a');
    });
    after(async () => {
      await platform.close();
      await t.close();
    });
    beforeEach(() => {
      t.clock.now = Date.now();
    });

    it('logs in, launches and opens the same kind of session as LTI 1.1', async () => {
      const login = await startLogin(t, platform, { clientId: 'client-a', launch: { sub: 'student-42', resourceLink: { id: 'exam-link', title: 'Week 1 exam' } } });
      assert.equal(login.statusCode, 302);
      const location = new URL(String(login.headers.location));
      assert.equal(`${location.origin}${location.pathname}`, platform.authUrl);
      assert.equal(location.searchParams.get('redirect_uri'), `${TOOL_ORIGIN}/lti/launch`);
      const setCookie = ([] as string[]).concat(login.headers['set-cookie'] ?? []);
      assert.ok(setCookie.some((c) => /; HttpOnly; Secure; SameSite=None; Partitioned$/.test(c)), `partitioned cookie expected: ${setCookie.join(' | ')}`);
      // Plain http: a Lax cookie as well, for development origins where Secure cookies are refused.
      assert.ok(setCookie.some((c) => /SameSite=Lax/.test(c)));

      const auth = await platform.authorize(location);
      const res = await postLaunch(t, auth.form, cookiesOf(login));
      assert.equal(res.statusCode, 303, res.body);
      const token = tokenFrom(res.headers.location);
      assert.equal(tokenPayload(token).message, undefined, 'a resource link session looks like an LTI 1.1 one');
      const session = await sessionOf(t, token);
      assert.equal(session.status, 200);
      assert.equal(session.body.role, 'student');
      assert.deepEqual(session.body.user, { name: 'Ada Lovelace', email: 'ada@example.test', username: null, ltiUserId: 'student-42' });
      assert.deepEqual(session.body.context, { title: 'Course 1', label: 'C1' });
      assert.equal((session.body.resourceLink as { title: string }).title, 'Week 1 exam');

      const launch = await t.store.db.selectFrom('launches').selectAll().orderBy('id', 'desc').executeTakeFirstOrThrow();
      assert.equal(launch.lti_version, '1.3.0');
      assert.equal(launch.consumer_id, tenant.consumerId);
      assert.equal(launch.return_url, `${platform.origin}/return`);
      assert.equal(launch.roles_raw, ROLE.learner);
      const services = await t.store.db.selectFrom('launch_services').selectAll().where('launch_id', '=', launch.id).executeTakeFirstOrThrow();
      assert.equal(services.platform_id, tenant.platformId);
      assert.equal(services.deployment_id, 'deployment-1');
      assert.equal(services.ags_lineitems_url, platform.lineItemsUrl('course-1'));
      assert.match(String(services.ags_scopes), /scope\/score/);
      assert.match(String(services.nrps_url), /\/contexts\/course-1\/memberships$/);
      // The launch clears its login cookie.
      assert.ok(([] as string[]).concat(res.headers['set-cookie'] ?? []).every((c) => /Max-Age=0/.test(c)));
    });

    it('accepts a POSTed login and an instructor launch', async () => {
      const res = await fullLaunch(t, platform, { method: 'POST', clientId: 'client-a', launch: { sub: 'teacher-1', roles: [ROLE.instructor] } });
      assert.equal(res.statusCode, 303, res.body);
      const session = await sessionOf(t, tokenFrom(res.headers.location));
      assert.equal(session.body.role, 'instructor');
    });

    it('keeps two platforms that share an issuer apart by client id', async () => {
      const other = await registerWithTool(t, platform, 'client-b');
      assert.notEqual(other.consumerId, tenant.consumerId);
      const a = await fullLaunch(t, platform, { clientId: 'client-a', launch: { sub: 'same-sub', resourceLink: { id: 'shared-link' } } });
      const b = await fullLaunch(t, platform, { clientId: 'client-b', launch: { sub: 'same-sub', resourceLink: { id: 'shared-link' } } });
      const sa = tokenPayload(tokenFrom(a.headers.location));
      const sb = tokenPayload(tokenFrom(b.headers.location));
      assert.equal(sa.consumerId, tenant.consumerId);
      assert.equal(sb.consumerId, other.consumerId);
      assert.notEqual(sa.userId, sb.userId);
      assert.notEqual(sa.resourceLinkId, sb.resourceLinkId);
      // Without client_id the login cannot choose between them.
      const ambiguous = await startLogin(t, platform, { clientId: 'client-a', omitClientId: true });
      assert.equal(ambiguous.statusCode, 400);
      assert.match(ambiguous.body, /no client_id/);
      // An id_token of one registration cannot complete a login started for the other.
      const started = await loginAndAuthorize(t, platform, { clientId: 'client-a' });
      const crossed = await platform.mintIdToken({ clientId: 'client-b', nonce: started.auth.nonce });
      const refused = await postLaunch(t, { ...started.auth.form, id_token: crossed.idToken }, started.cookies);
      assert.equal(refused.statusCode, 401);
      assert.match(refused.body, /not for the platform registration the login was started with/);
    });

    it('refuses a replayed launch and stores nothing for it', async () => {
      const { auth, cookies } = await loginAndAuthorize(t, platform, { clientId: 'client-a' });
      assert.equal((await postLaunch(t, auth.form, cookies)).statusCode, 303);
      const before = await storedCounts(t);
      const replay = await postLaunch(t, auth.form, cookies);
      assert.equal(replay.statusCode, 409);
      assert.match(replay.body, /already been used/);
      assert.deepEqual(await storedCounts(t), before);
    });

    it('refuses a state that is not the one this browser kept, and an altered state', async () => {
      const first = await loginAndAuthorize(t, platform, { clientId: 'client-a' });
      const second = await loginAndAuthorize(t, platform, { clientId: 'client-a' });
      const before = await storedCounts(t);
      // The second login's cookie, renamed to the first's: the browser kept another state.
      const [firstName] = Object.keys(first.cookies);
      const swapped = Object.fromEntries(Object.keys(first.cookies).map((name, i) => [name, Object.values(second.cookies)[i] ?? '']));
      assert.ok(firstName);
      const mismatch = await postLaunch(t, first.auth.form, swapped);
      assert.equal(mismatch.statusCode, 400);
      assert.match(mismatch.body, /does not match the one this browser started the login with/);
      const altered = await postLaunch(t, { ...first.auth.form, state: tamperedState(first.auth.state) }, first.cookies);
      assert.equal(altered.statusCode, 400);
      assert.match(altered.body, /not issued by this tool or has been altered/);
      assert.deepEqual(await storedCounts(t), before);
      // The untouched launch still works: the refusals did not use its nonce.
      assert.equal((await postLaunch(t, first.auth.form, first.cookies)).statusCode, 303);
    });

    it('refuses logins for unknown and disabled platforms with clear pages', async () => {
      const unknown = await t.app.inject({
        method: 'GET',
        url: `/lti/login?${new URLSearchParams({ iss: 'https://nobody.example', login_hint: 'u', target_link_uri: `${TOOL_ORIGIN}/lti/launch`, client_id: 'x' })}`,
        headers: { host: TOOL_HOST },
      });
      assert.equal(unknown.statusCode, 401);
      assert.match(unknown.body, /No LTI 1.3 platform is registered with the issuer/);
      const disabled = await registerWithTool(t, platform, 'client-off');
      await t.store.db.updateTable('platforms').set({ disabled_at: t.clock.now }).where('id', '=', disabled.platformId).execute();
      const res = await startLogin(t, platform, { clientId: 'client-off' });
      assert.equal(res.statusCode, 403);
      assert.match(res.body, /disabled/);
      const missing = await t.app.inject({ method: 'GET', url: '/lti/login?iss=x', headers: { host: TOOL_HOST } });
      assert.equal(missing.statusCode, 400);
      assert.match(missing.body, /no &quot;login_hint&quot;/);
    });

    it('offers "Open in a new window" when the browser kept the state nowhere, and that restarts the login', async () => {
      const { auth } = await loginAndAuthorize(t, platform, { clientId: 'client-a', loginHint: 'student-7' });
      const res = await postLaunch(t, auth.form, {});
      assert.equal(res.statusCode, 200);
      assert.match(res.body, /Open in a new window/);
      assert.match(String(res.headers['content-security-policy']), /script-src 'self'/);
      const fields = hiddenFields(res.body);
      assert.equal(fields.iss, platform.issuer);
      assert.equal(fields.client_id, 'client-a');
      assert.equal(fields.login_hint, 'student-7');
      assert.ok(fields.lti_message_hint);
      const again = await t.app.inject({ method: 'POST', url: '/lti/login', headers: { host: TOOL_HOST, 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams(fields).toString() });
      assert.equal(again.statusCode, 302);
      const relaunch = await postLaunch(t, (await platform.authorize(String(again.headers.location))).form, cookiesOf(again));
      assert.equal(relaunch.statusCode, 303);
    });

    it('keeps the state in platform storage when the platform offers it', async () => {
      const login = await startLogin(t, platform, { clientId: 'client-a', storageTarget: STORAGE_FRAME_NAME });
      assert.equal(login.statusCode, 200);
      assert.match(String(login.headers['content-security-policy']), /script-src 'self'/);
      assert.doesNotMatch(login.body, /<script>/, 'no inline script');
      assert.match(login.body, /src="\/static\/lti13-storage.js"/);
      assert.equal(dataAttribute(login.body, 'data-mode'), 'put');
      assert.equal(dataAttribute(login.body, 'data-target'), STORAGE_FRAME_NAME);
      assert.equal(dataAttribute(login.body, 'data-origin'), platform.origin);
      const key = dataAttribute(login.body, 'data-key');
      const value = dataAttribute(login.body, 'data-value');
      const auth = await platform.authorize(dataAttribute(login.body, 'data-next'));
      assert.equal(auth.state, value);
      assert.equal(auth.form.lti_storage_target, STORAGE_FRAME_NAME);

      // The launch answers a page that reads platform storage and posts back.
      const page = await postLaunch(t, auth.form, {});
      assert.equal(page.statusCode, 200);
      assert.equal(dataAttribute(page.body, 'data-mode'), 'get');
      assert.equal(dataAttribute(page.body, 'data-key'), key);
      const fields = hiddenFields(page.body);
      const cont = (extra: Record<string, string>, headers: Record<string, string>) =>
        t.app.inject({
          method: 'POST',
          url: '/lti/launch/continue',
          headers: { host: TOOL_HOST, 'content-type': 'application/x-www-form-urlencoded', ...headers },
          payload: new URLSearchParams({ ...fields, ...extra }).toString(),
        });
      // Only this site's own page may post the stored value.
      const forged = await cont({ lti_storage_value: value }, { origin: 'https://attacker.example' });
      assert.equal(forged.statusCode, 400);
      assert.match(forged.body, /did not come from this tool&#39;s own page/);
      const wrong = await cont({ lti_storage_value: 'another-state' }, { 'sec-fetch-site': 'same-origin' });
      assert.equal(wrong.statusCode, 400);
      assert.match(wrong.body, /does not match/);
      const ok = await cont({ lti_storage_value: value }, { 'sec-fetch-site': 'same-origin' });
      assert.equal(ok.statusCode, 303, ok.body);
      assert.equal((await sessionOf(t, tokenFrom(ok.headers.location))).status, 200);
      // With storage empty, the cookie the login also set is the fallback.
      const second = await startLogin(t, platform, { clientId: 'client-a', storageTarget: STORAGE_FRAME_NAME });
      const auth2 = await platform.authorize(dataAttribute(second.body, 'data-next'));
      const viaCookie = await t.app.inject({
        method: 'POST',
        url: '/lti/launch/continue',
        headers: { host: TOOL_HOST, 'content-type': 'application/x-www-form-urlencoded', origin: TOOL_ORIGIN, cookie: cookieHeader(cookiesOf(second)) },
        payload: new URLSearchParams({ id_token: auth2.idToken, state: auth2.state, lti_storage_value: '' }).toString(),
      });
      assert.equal(viaCookie.statusCode, 303, viaCookie.body);
    });

    it('serves the storage script as a file', async () => {
      const res = await t.app.inject({ method: 'GET', url: '/static/lti13-storage.js' });
      assert.equal(res.statusCode, 200);
      assert.match(String(res.headers['content-type']), /javascript/);
      assert.match(res.body, /lti\.put_data/);
      assert.match(res.body, /lti\.get_data/);
    });

    it('routes deep linking and submission review launches with sessions that say so', async () => {
      const dl = await fullLaunch(t, platform, { clientId: 'client-a', launch: { kind: 'deep_linking', sub: 'teacher-1', roles: [ROLE.instructor] } });
      assert.equal(dl.statusCode, 303, dl.body);
      const dlToken = tokenFrom(dl.headers.location);
      assert.equal(tokenPayload(dlToken).message, 'deep-linking');
      assert.equal((await sessionOf(t, dlToken)).status, 200);
      const review = await fullLaunch(t, platform, {
        clientId: 'client-a',
        launch: { kind: 'submission_review', sub: 'teacher-1', roles: [ROLE.instructor], ags: { lineitem: `${platform.origin}/lineitems/1` }, forUser: { user_id: 'student-42', roles: [ROLE.learner] } },
      });
      assert.equal(review.statusCode, 303, review.body);
      const payload = tokenPayload(tokenFrom(review.headers.location));
      assert.equal(payload.message, 'submission-review');
      assert.equal(payload.forUser, 'student-42');
    });

    it('gives a link of a copied course the exam of its ancestor link', async () => {
      const first = await fullLaunch(t, platform, { clientId: 'client-a', launch: { sub: 'teacher-1', roles: [ROLE.instructor], resourceLink: { id: 'old-link' }, context: { id: 'old-course' } } });
      const oldLinkId = tokenPayload(tokenFrom(first.headers.location)).resourceLinkId as number;
      const resource = await t.store.db
        .insertInto('resources')
        .values({ consumer_id: tenant.consumerId, context_id: null, title: 'Exam', current_package_version_id: null, created_at: t.clock.now, updated_at: t.clock.now })
        .returning('id')
        .executeTakeFirstOrThrow();
      await t.store.db.updateTable('resource_links').set({ resource_id: resource.id }).where('id', '=', oldLinkId).execute();
      const copied = await fullLaunch(t, platform, {
        clientId: 'client-a',
        launch: {
          sub: 'student-9',
          resourceLink: { id: 'new-link' },
          context: { id: 'new-course' },
          custom: { resource_link_id_history: 'missing-link,old-link', context_id_history: 'old-course' },
        },
      });
      const newLinkId = tokenPayload(tokenFrom(copied.headers.location)).resourceLinkId as number;
      assert.notEqual(newLinkId, oldLinkId);
      const row = await t.store.db.selectFrom('resource_links').select('resource_id').where('id', '=', newLinkId).executeTakeFirstOrThrow();
      assert.equal(row.resource_id, resource.id);
      // Unsubstituted variables are no history.
      const plain = await fullLaunch(t, platform, { clientId: 'client-a', launch: { resourceLink: { id: 'other-link' }, custom: { resource_link_id_history: '$ResourceLink.id.history' } } });
      const plainId = tokenPayload(tokenFrom(plain.headers.location)).resourceLinkId as number;
      const plainRow = await t.store.db.selectFrom('resource_links').select('resource_id').where('id', '=', plainId).executeTakeFirstOrThrow();
      assert.equal(plainRow.resource_id, null);
      assert.equal(errorCodeOf(plain), null);
    });
  });
}
