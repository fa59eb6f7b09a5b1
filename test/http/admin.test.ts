import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import { createAdmin } from '../../src/commands/create-admin.js';
import { databaseKinds } from '../helpers/test-store.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

const HOST = 'tool.test';
const ORIGIN = `http://${HOST}`;
const USERNAME = 'alice';
const PASSWORD = 'a long enough password';
const XSS_KEY = '<script>alert(1)</script>';

function setCookies(res: LightMyRequestResponse): string[] {
  const header = res.headers['set-cookie'];
  if (header === undefined) return [];
  return Array.isArray(header) ? header : [header];
}

/** The admin cookie set by a response, as "name=value" for the next request. */
function adminCookie(res: LightMyRequestResponse): string {
  const cookie = setCookies(res).find((c) => c.startsWith('lti_exam_admin='));
  assert.ok(cookie, `an admin cookie is set (got ${JSON.stringify(setCookies(res))})`);
  return cookie.split(';')[0] ?? '';
}

function csrfOf(body: string): string {
  const match = /<input type="hidden" name="csrf" value="([^"]+)">/.exec(body);
  assert.ok(match?.[1], 'the page carries a CSRF field');
  return match[1];
}

function path(key: string, action: string): string {
  return `/admin/consumers/${encodeURIComponent(key)}/${action}`;
}

for (const kind of databaseKinds()) {
  describe(`admin area (${kind})`, () => {
    let t: TestApp;
    let cookie: string;
    let csrf: string;

    async function get(url: string, withCookie: string | null = cookie): Promise<LightMyRequestResponse> {
      return t.app.inject({ method: 'GET', url, headers: { host: HOST, ...(withCookie ? { cookie: withCookie } : {}) } });
    }

    async function post(url: string, payload: Record<string, string>, options: { cookie?: string | null; origin?: string | null } = {}): Promise<LightMyRequestResponse> {
      const withCookie = options.cookie === undefined ? cookie : options.cookie;
      const origin = options.origin === undefined ? ORIGIN : options.origin;
      return t.app.inject({
        method: 'POST',
        url,
        headers: { host: HOST, ...(withCookie ? { cookie: withCookie } : {}), ...(origin ? { origin } : {}) },
        payload,
      });
    }

    async function signIn(): Promise<{ cookie: string; csrf: string }> {
      const res = await post('/admin/login', { username: USERNAME, password: PASSWORD }, { cookie: null });
      assert.equal(res.statusCode, 303, res.body);
      const signedIn = adminCookie(res);
      const home = await get('/admin', signedIn);
      assert.equal(home.statusCode, 200);
      return { cookie: signedIn, csrf: csrfOf(home.body) };
    }

    async function consumerRow(key: string) {
      return t.store.db.selectFrom('consumers').selectAll().where('key', '=', key).executeTakeFirst();
    }

    async function countConsumers(): Promise<number> {
      return (await t.store.db.selectFrom('consumers').select('id').execute()).length;
    }

    before(async () => {
      t = await createTestApp(kind);
      await createAdmin(t.store.db, { username: USERNAME, password: PASSWORD }, t.clock.now);
      ({ cookie, csrf } = await signIn());
    });
    after(async () => t.close());

    it('the login page has labelled fields and a real button', async () => {
      const res = await get('/admin/login', null);
      assert.equal(res.statusCode, 200);
      assert.match(res.body, /<label for="username">/);
      assert.match(res.body, /<label for="password">/);
      assert.match(res.body, /<button type="submit">Sign in<\/button>/);
      assert.equal(res.headers['cache-control'], 'no-store');
      assert.match(String(res.headers['content-security-policy']), /frame-ancestors 'none'/);
      // Not "no-referrer": under it browsers send "Origin: null" on same-origin form POSTs.
      assert.equal(res.headers['referrer-policy'], 'same-origin');
    });

    it('a wrong password or unknown user gets one generic message and no cookie', async () => {
      for (const [username, password] of [
        [USERNAME, 'not the password'],
        ['nobody', PASSWORD],
      ] as const) {
        const res = await post('/admin/login', { username, password }, { cookie: null });
        assert.equal(res.statusCode, 401);
        assert.match(res.body, /role="alert"[^>]*>Wrong username or password\.</);
        assert.equal(setCookies(res).length, 0);
        assert.doesNotMatch(res.body, /not the password/);
      }
    });

    it('signing in sets a HttpOnly, SameSite=Strict cookie and goes to a local next path only', async () => {
      const res = await post('/admin/login', { username: USERNAME, password: PASSWORD, next: '/admin/lms-setup' }, { cookie: null });
      assert.equal(res.statusCode, 303);
      assert.equal(res.headers.location, '/admin/lms-setup');
      const set = setCookies(res).find((c) => c.startsWith('lti_exam_admin=')) ?? '';
      assert.match(set, /; HttpOnly/i);
      assert.match(set, /; SameSite=Strict/i);
      assert.match(set, /; Path=\//);
      assert.match(set, /; Max-Age=43200/);
      assert.doesNotMatch(set, /; Secure/i, 'plain http: no Secure flag');
      const stored = await t.store.db.selectFrom('admin_sessions').select('token_hash').execute();
      const token = decodeURIComponent(set.split(';')[0]?.split('=')[1] ?? '');
      assert.ok(stored.every((s) => s.token_hash !== token), 'only the hash of the token is stored');
      assert.ok(stored.every((s) => /^[0-9a-f]{64}$/.test(s.token_hash)));
      for (const next of ['//evil.example/x', '/\\evil.example', 'https://evil.example/']) {
        const other = await post('/admin/login', { username: USERNAME, password: PASSWORD, next }, { cookie: null });
        assert.equal(other.headers.location, '/admin', next);
      }
    });

    it('refuses a login form posted from another site', async () => {
      const res = await post('/admin/login', { username: USERNAME, password: PASSWORD }, { cookie: null, origin: 'https://evil.example' });
      assert.equal(res.statusCode, 403);
      assert.equal(setCookies(res).length, 0);
    });

    it('sends a signed-out visitor to the login page, and refuses signed-out POSTs', async () => {
      const res = await get('/admin/consumers/new', null);
      assert.equal(res.statusCode, 303);
      assert.equal(res.headers.location, '/admin/login?next=%2Fadmin%2Fconsumers%2Fnew');
      const home = await get('/admin', 'lti_exam_admin=not-a-session');
      assert.equal(home.headers.location, '/admin/login?next=%2Fadmin');
      const form = await get('/admin/login?next=%2Fadmin', null);
      assert.match(form.body, /<input type="hidden" name="next" value="\/admin">/);
      const before = await countConsumers();
      const create = await post('/admin/consumers', { csrf, key: 'signed-out' }, { cookie: null });
      assert.equal(create.statusCode, 401);
      assert.equal(await countConsumers(), before);
    });

    it('adds a consumer, shows its secret once, and stores it only sealed', async () => {
      const form = await get('/admin/consumers/new');
      assert.equal(form.statusCode, 200);
      assert.match(form.body, /<label for="key">/);
      assert.match(form.body, /<label for="url">/);
      const res = await post('/admin/consumers', { csrf, key: 'moodle-main', url: 'https://lms.example.edu' });
      assert.equal(res.statusCode, 201, res.body);
      assert.equal(res.headers['cache-control'], 'no-store');
      const secret = /data-testid="consumer-secret"/.test(res.body) ? /id="created-secret" class="mono" readonly value="([^"]+)"/.exec(res.body)?.[1] : undefined;
      assert.ok(secret && secret.length >= 20, 'the page shows the secret');
      assert.match(res.body, /value="moodle-main"/);
      assert.match(res.body, /shown only this once/);
      const row = await consumerRow('moodle-main');
      assert.ok(row);
      assert.ok(!JSON.stringify(row).includes(secret), 'the clear secret is nowhere in the row');
      assert.equal(t.app.services.secretBox.open(row.secret_sealed), secret);
      assert.equal(row.url, 'https://lms.example.edu/');
      const home = await get('/admin');
      assert.match(home.body, /<code>moodle-main<\/code>/);
      assert.doesNotMatch(home.body, new RegExp(secret));
    });

    it('a duplicate key re-renders the form with 409 and stores nothing new', async () => {
      const before = await countConsumers();
      const res = await post('/admin/consumers', { csrf, key: 'moodle-main', url: 'https://other.example' });
      assert.equal(res.statusCode, 409);
      assert.match(res.body, /role="alert"[^>]*>A consumer with the key &quot;moodle-main&quot; already exists\./);
      assert.match(res.body, /id="key" name="key" value="moodle-main"/);
      assert.match(res.body, /id="url" name="url" value="https:\/\/other\.example"/);
      assert.equal(await countConsumers(), before);
      const empty = await post('/admin/consumers', { csrf, key: '   ' });
      assert.equal(empty.statusCode, 400);
      assert.match(empty.body, /must not be empty/);
      assert.equal(await countConsumers(), before);
    });

    it('refuses POSTs without the CSRF field, with a wrong one, or from another origin', async () => {
      const before = await countConsumers();
      const attempts = [
        await post('/admin/consumers', { key: 'csrf-1' }),
        await post('/admin/consumers', { csrf: 'x'.repeat(43), key: 'csrf-2' }),
        await post('/admin/consumers', { csrf, key: 'csrf-3' }, { origin: 'https://evil.example' }),
        await post(path('moodle-main', 'disable'), {}),
        await post(path('moodle-main', 'delete'), { csrf: `${csrf}x` }),
        await post(path('moodle-main', 'disable'), { csrf }, { origin: 'null' }),
      ];
      for (const res of attempts) {
        assert.equal(res.statusCode, 403, res.body);
        assert.match(res.body, /role="alert"/);
      }
      assert.equal(await countConsumers(), before);
      const row = await consumerRow('moodle-main');
      assert.equal(row?.disabled_at, null);
      // No Origin at all (some older browsers) is accepted when the CSRF field is right.
      const ok = await post('/admin/consumers', { csrf, key: 'no-origin' }, { origin: null });
      assert.equal(ok.statusCode, 201);
    });

    it('disables and enables a consumer', async () => {
      const off = await post(path('moodle-main', 'disable'), { csrf });
      assert.equal(off.statusCode, 303);
      assert.equal(off.headers.location, '/admin?done=disabled');
      assert.notEqual((await consumerRow('moodle-main'))?.disabled_at, null);
      const home = await get('/admin?done=disabled');
      assert.match(home.body, /role="status"[^>]*>The consumer was disabled/);
      assert.match(home.body, /<code>moodle-main<\/code><\/th>[\s\S]*?Disabled[\s\S]*?>Enable<span class="visually-hidden"> moodle-main<\/span><\/button>/);
      const on = await post(path('moodle-main', 'enable'), { csrf });
      assert.equal(on.statusCode, 303);
      assert.equal((await consumerRow('moodle-main'))?.disabled_at, null);
      const missing = await post(path('no-such-consumer', 'disable'), { csrf });
      assert.equal(missing.statusCode, 404);
    });

    it('the delete confirmation states the counts, and deleting removes everything under the consumer', async () => {
      const row = await consumerRow('moodle-main');
      assert.ok(row);
      const now = t.clock.now;
      await t.store.db
        .insertInto('resource_links')
        .values([1, 2].map((n) => ({ consumer_id: row.id, context_id: null, lti_resource_link_id: `rl${n}`, title: null, description: null, created_at: now, updated_at: now })))
        .execute();
      await t.store.db
        .insertInto('users')
        .values(['u1', 'u2', 'u3'].map((id) => ({ consumer_id: row.id, lti_user_id: id, name_given: null, name_family: null, name_full: null, email: null, username: null, created_at: now, updated_at: now })))
        .execute();
      const home = await get('/admin');
      assert.match(home.body, /<code>moodle-main<\/code><\/th>\s*<td>[^]*?<\/td>\s*<td>Enabled<\/td>\s*<td>2<\/td>\s*<td>3<\/td>/);
      const confirm = await get(path('moodle-main', 'delete'));
      assert.equal(confirm.statusCode, 200);
      assert.match(confirm.body, /<strong>2 links<\/strong> and <strong>3 users<\/strong>/);
      assert.match(confirm.body, /<button type="submit" class="danger">/);
      assert.equal((await consumerRow('moodle-main'))?.id, row.id, 'the GET changes nothing');
      const res = await post(path('moodle-main', 'delete'), { csrf });
      assert.equal(res.statusCode, 303);
      assert.equal(res.headers.location, '/admin?done=deleted');
      assert.equal(await consumerRow('moodle-main'), undefined);
      const users = await t.store.db.selectFrom('users').select('id').where('consumer_id', '=', row.id).execute();
      assert.equal(users.length, 0);
      assert.equal((await get(path('moodle-main', 'delete'))).statusCode, 404);
    });

    it('escapes a consumer key that looks like markup, and its action URLs still work', async () => {
      const created = await post('/admin/consumers', { csrf, key: XSS_KEY });
      assert.equal(created.statusCode, 201);
      assert.doesNotMatch(created.body, /<script>alert/);
      const home = await get('/admin');
      assert.doesNotMatch(home.body, /<script>alert/);
      assert.match(home.body, /<code>&lt;script&gt;alert\(1\)&lt;\/script&gt;<\/code>/);
      assert.ok(home.body.includes(`action="${path(XSS_KEY, 'disable')}"`));
      const confirm = await get(path(XSS_KEY, 'delete'));
      assert.equal(confirm.statusCode, 200);
      assert.match(confirm.body, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
      assert.doesNotMatch(confirm.body, /<script>alert/);
      assert.equal((await post(path(XSS_KEY, 'disable'), { csrf })).statusCode, 303);
      assert.notEqual((await consumerRow(XSS_KEY))?.disabled_at, null);
      assert.equal((await post(path(XSS_KEY, 'delete'), { csrf })).statusCode, 303);
      assert.equal(await consumerRow(XSS_KEY), undefined);
    });

    it('the LMS setup page gives the URLs of this host with labels', async () => {
      const res = await get('/admin/lms-setup');
      assert.equal(res.statusCode, 200);
      assert.match(res.body, /<label for="launch-url">Launch URL<\/label>\s*<input type="text" id="launch-url" class="mono" readonly value="http:\/\/tool\.test\/lti\/launch">/);
      assert.match(res.body, /<label for="config-url">[^<]*<\/label>\s*<input type="text" id="config-url" class="mono" readonly value="http:\/\/tool\.test\/lti\/config\.xml">/);
      for (const lms of ['Moodle', 'Canvas', 'Blackboard', 'Brightspace']) assert.match(res.body, new RegExp(`<h2>${lms}`));
      assert.match(res.body, /<code>tool\.test<\/code>/);
    });

    it('an expired session sends the admin back to the login page', async () => {
      const session = await signIn();
      const saved = t.clock.now;
      t.clock.now = saved + 13 * 3600 * 1000;
      try {
        const res = await get('/admin', session.cookie);
        assert.equal(res.statusCode, 303);
        assert.equal(res.headers.location, '/admin/login?next=%2Fadmin');
        const write = await post('/admin/consumers', { csrf: session.csrf, key: 'too-late' }, { cookie: session.cookie });
        assert.equal(write.statusCode, 401);
      } finally {
        t.clock.now = saved;
      }
    });

    it('signing out ends the session on the server', async () => {
      const session = await signIn();
      const before = (await t.store.db.selectFrom('admin_sessions').select('id').execute()).length;
      const res = await post('/admin/logout', { csrf: session.csrf }, { cookie: session.cookie });
      assert.equal(res.statusCode, 303);
      assert.equal(res.headers.location, '/admin/login');
      assert.match(setCookies(res).find((c) => c.startsWith('lti_exam_admin=')) ?? '', /Expires=Thu, 01 Jan 1970/);
      assert.equal((await t.store.db.selectFrom('admin_sessions').select('id').execute()).length, before - 1);
      // The old cookie, replayed, no longer works.
      const replay = await get('/admin', session.cookie);
      assert.equal(replay.statusCode, 303);
      assert.match(String(replay.headers.location), /^\/admin\/login/);
      // The other session is untouched.
      assert.equal((await get('/admin')).statusCode, 200);
    });
  });

  describe(`admin cookie behind an https proxy (${kind})`, () => {
    let t: TestApp;
    before(async () => {
      t = await createTestApp(kind, { TRUST_PROXY: '1' });
      await createAdmin(t.store.db, { username: USERNAME, password: PASSWORD }, t.clock.now);
    });
    after(async () => t.close());

    it('marks the cookie Secure when the request came over https', async () => {
      const res = await t.app.inject({
        method: 'POST',
        url: '/admin/login',
        headers: { host: HOST, 'x-forwarded-proto': 'https', origin: `https://${HOST}` },
        payload: { username: USERNAME, password: PASSWORD },
      });
      assert.equal(res.statusCode, 303, res.body);
      assert.match(setCookies(res).find((c) => c.startsWith('lti_exam_admin=')) ?? '', /; Secure/i);
    });
  });
}
