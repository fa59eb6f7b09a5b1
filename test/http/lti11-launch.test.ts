import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { formBody, launchParams, registerConsumer, signLaunch, type TestConsumer } from '../helpers/lti11-consumer.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';
import { databaseKinds } from '../helpers/test-store.js';

const HOST = 'tool.example.edu';
const URL_SIGNED = `http://${HOST}/lti/launch`;

async function counts(t: TestApp): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const table of ['users', 'contexts', 'resource_links', 'launches', 'lti_nonces'] as const) {
    const row = await t.store.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    out[table] = Number(row.n);
  }
  return out;
}

async function post(t: TestApp, body: Record<string, string>, headers: Record<string, string> = {}) {
  return t.app.inject({
    method: 'POST',
    url: '/lti/launch',
    headers: { host: HOST, 'content-type': 'application/x-www-form-urlencoded', 'user-agent': 'test-agent/1.0', ...headers },
    payload: formBody(body),
  });
}

function tokenFrom(location: unknown): string {
  const match = /^\/app\/#token=(.+)$/.exec(String(location ?? ""));
  assert.ok(match?.[1], `expected a redirect to the app with a token, got ${location}`);
  return decodeURIComponent(match[1]);
}

async function sessionOf(t: TestApp, token: string) {
  const res = await t.app.inject({ method: 'GET', url: '/api/session', headers: { authorization: `Bearer ${token}` } });
  return { status: res.statusCode, body: res.json() as Record<string, unknown> };
}

for (const kind of databaseKinds()) {
  describe(`LTI 1.1 launch on ${kind}`, () => {
    let t: TestApp;
    let lms: TestConsumer;
    before(async () => {
      t = await createTestApp(kind);
      lms = await registerConsumer(t.store.db, t.config.secretKey, 'lms-a');
    });
    after(async () => t.close());
    beforeEach(() => {
      t.clock.now = Date.now();
    });

    it('accepts a launch signed by an independent OAuth 1.0a library and opens a cookie-free session', async () => {
      const res = await post(t, signLaunch(lms, URL_SIGNED, launchParams({ resource_link_id: 'accept-1' })));
      assert.equal(res.statusCode, 303);
      assert.equal(res.headers['set-cookie'], undefined);
      const token = tokenFrom(res.headers.location);
      const session = await sessionOf(t, token);
      assert.equal(session.status, 200);
      assert.equal(session.body.role, 'student');
      assert.deepEqual(session.body.user, { name: 'Ada Lovelace', email: 'ada@example.org', username: 'ada.lovelace', ltiUserId: 'user-1' });
      assert.deepEqual(session.body.context, { title: 'Analysis 101', label: 'AN101' });
      assert.equal((session.body.resourceLink as { title: string }).title, 'Week 1 exam');
      const launch = await t.store.db.selectFrom('launches').selectAll().orderBy('id', 'desc').executeTakeFirstOrThrow();
      assert.equal(launch.outcome_service_url, 'https://lms.example.org/outcomes');
      assert.equal(launch.result_sourcedid, 'sourcedid-1');
      assert.equal(launch.user_agent, 'test-agent/1.0');
      assert.equal(launch.role, 'student');
      assert.equal(launch.roles_raw, 'Learner');
    });

    it('refuses the same request replayed, and the replay changes nothing', async () => {
      const body = signLaunch(lms, URL_SIGNED, launchParams({ resource_link_id: 'replay-1' }));
      assert.equal((await post(t, body)).statusCode, 303);
      const before = await counts(t);
      const replay = await post(t, body);
      assert.equal(replay.statusCode, 409);
      assert.match(replay.body, /already been used/);
      assert.deepEqual(await counts(t), before);
    });

    it('refuses a one-character change to any signed parameter, storing nothing', async () => {
      const body = signLaunch(lms, URL_SIGNED, launchParams({ resource_link_id: 'tamper-1', user_id: 'tamper-user' }));
      const before = await counts(t);
      for (const name of Object.keys(body)) {
        if (name === 'oauth_signature') continue;
        const value = body[name] ?? '';
        const changed = value === '' ? 'x' : value.slice(0, -1) + (value.endsWith('a') ? 'b' : 'a');
        const res = await post(t, { ...body, [name]: changed });
        assert.ok(res.statusCode >= 400 && res.statusCode < 500, `changing ${name} must be refused, got ${res.statusCode}`);
      }
      const sig = body.oauth_signature ?? '';
      const flipped = (sig[0] === 'A' ? 'B' : 'A') + sig.slice(1);
      assert.equal((await post(t, { ...body, oauth_signature: flipped })).statusCode, 401);
      assert.deepEqual(await counts(t), before);
      // The untouched original still works: the refusals did not burn its nonce.
      assert.equal((await post(t, body)).statusCode, 303);
    });

    it('refuses timestamps more than five minutes away, either way', async () => {
      const now = Math.floor(t.clock.now / 1000);
      for (const offset of [-301, 301]) {
        const res = await post(t, signLaunch(lms, URL_SIGNED, launchParams(), { timestampSeconds: now + offset }));
        assert.equal(res.statusCode, 401, `offset ${offset}`);
      }
      const ok = await post(t, signLaunch(lms, URL_SIGNED, launchParams({ resource_link_id: 'skew-ok' }), { timestampSeconds: now - 290 }));
      assert.equal(ok.statusCode, 303);
    });

    it('refuses a wrong secret, an unknown key and a disabled consumer with clear pages', async () => {
      const wrongSecret = await post(t, signLaunch({ key: lms.key, secret: 'not-the-secret' }, URL_SIGNED, launchParams()));
      assert.equal(wrongSecret.statusCode, 401);
      assert.match(String(wrongSecret.headers['content-type']), /text\/html/);
      assert.match(wrongSecret.body, /signature/i);
      const unknown = await post(t, signLaunch({ key: 'nobody', secret: 'x' }, URL_SIGNED, launchParams()));
      assert.equal(unknown.statusCode, 401);
      assert.match(unknown.body, /not registered/);
      const disabled = await registerConsumer(t.store.db, t.config.secretKey, 'lms-disabled');
      await t.store.db.updateTable('consumers').set({ disabled_at: 1 }).where('key', '=', disabled.key).execute();
      const res = await post(t, signLaunch(disabled, URL_SIGNED, launchParams()));
      assert.equal(res.statusCode, 403);
      assert.match(res.body, /disabled/);
    });

    it('verifies launches through a reverse proxy only when told to trust it', async () => {
      const proxied = await createTestApp(kind, { TRUST_PROXY: '1' });
      const pinned = await createTestApp(kind, { PUBLIC_URL: 'https://exams.example.edu' });
      try {
        const headers = { host: 'internal:8080', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'exams.example.edu' };
        for (const app of [proxied, pinned, t]) {
          const consumer = await registerConsumer(app.store.db, app.config.secretKey, `proxy-${app === t ? 'plain' : app === pinned ? 'pinned' : 'trust'}`);
          const res = await post(app, signLaunch(consumer, 'https://exams.example.edu/lti/launch', launchParams()), headers);
          // Without TRUST_PROXY or PUBLIC_URL the server sees http://internal:8080, not what the LMS signed.
          assert.equal(res.statusCode, app === t ? 401 : 303, app === t ? 'untrusted proxy headers must be ignored' : 'proxied launch must verify');
        }
      } finally {
        await proxied.close();
        await pinned.close();
      }
    });

    it('counts query-string parameters in the signature', async () => {
      const params = launchParams({ resource_link_id: 'query-1' });
      const signed = signLaunch(lms, `${URL_SIGNED}?course=7`, params);
      const ok = await t.app.inject({ method: 'POST', url: '/lti/launch?course=7', headers: { host: HOST, 'content-type': 'application/x-www-form-urlencoded' }, payload: formBody(signed) });
      assert.equal(ok.statusCode, 303);
      const moved = signLaunch(lms, `${URL_SIGNED}?course=7`, params);
      const bad = await t.app.inject({ method: 'POST', url: '/lti/launch?course=8', headers: { host: HOST, 'content-type': 'application/x-www-form-urlencoded' }, payload: formBody(moved) });
      assert.equal(bad.statusCode, 401);
    });

    it('expires and refuses tampered session tokens', async () => {
      const token = tokenFrom((await post(t, signLaunch(lms, URL_SIGNED, launchParams({ resource_link_id: 'expiry-1' })))).headers.location);
      const tampered = token.replace(/^./, (c) => (c === 'e' ? 'f' : 'e'));
      assert.equal((await sessionOf(t, tampered)).status, 401);
      assert.equal((await sessionOf(t, 'garbage')).status, 401);
      const none = await t.app.inject({ method: 'GET', url: '/api/session' });
      assert.equal(none.statusCode, 401);
      assert.equal((none.json() as { error: { code: string } }).error.code, 'unauthenticated');
      t.clock.now += (t.config.sessionTtlSeconds + 1) * 1000;
      const expired = await sessionOf(t, token);
      assert.equal(expired.status, 401);
      assert.equal((expired.body.error as { code: string }).code, 'session_expired');
    });

    it('keeps two launches in two tabs independent', async () => {
      const instructor = tokenFrom((await post(t, signLaunch(lms, URL_SIGNED, launchParams({ resource_link_id: 'tab-a', roles: 'Instructor', user_id: 'teacher' })))).headers.location);
      const student = tokenFrom((await post(t, signLaunch(lms, URL_SIGNED, launchParams({ resource_link_id: 'tab-b', resource_link_title: 'Other', roles: 'Learner' })))).headers.location);
      const a = await sessionOf(t, instructor);
      const b = await sessionOf(t, student);
      assert.equal(a.body.role, 'instructor');
      assert.equal(b.body.role, 'student');
      assert.equal((b.body.resourceLink as { title: string }).title, 'Other');
      assert.equal((await sessionOf(t, instructor)).body.role, 'instructor');
    });
  });
}
