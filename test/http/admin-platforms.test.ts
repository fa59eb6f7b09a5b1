import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { createAdmin } from '../../src/commands/create-admin.js';
import { databaseKinds } from '../helpers/test-store.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

// With PUBLIC_URL set, every URL the pages show (and the Origin the forms must come from) is this one.
const PUBLIC_URL = 'https://exams.example.edu';
const HOST = 'internal.test';
const USERNAME = 'alice';
const PASSWORD = 'a long enough password';
const XSS = '<script>alert(1)</script>';

function adminCookie(res: LightMyRequestResponse): string {
  const header = res.headers['set-cookie'];
  const cookies = header === undefined ? [] : Array.isArray(header) ? header : [header];
  const cookie = cookies.find((c) => c.startsWith('lti_exam_admin='));
  assert.ok(cookie, 'an admin cookie is set');
  return cookie.split(';')[0] ?? '';
}

function csrfOf(body: string): string {
  const match = /<input type="hidden" name="csrf" value="([^"]+)">/.exec(body);
  assert.ok(match?.[1], 'the page carries a CSRF field');
  return match[1];
}

const FORM = {
  issuer: 'https://lms.example.edu',
  clientId: 'client-a',
  authLoginUrl: 'https://lms.example.edu/auth',
  tokenUrl: 'https://lms.example.edu/token',
  jwksUrl: 'https://lms.example.edu/jwks',
};

for (const kind of databaseKinds()) {
  describe(`admin platform pages (${kind})`, () => {
    let t: TestApp;
    let cookie = '';
    let csrf = '';

    async function get(url: string): Promise<LightMyRequestResponse> {
      return t.app.inject({ method: 'GET', url, headers: { host: HOST, ...(cookie ? { cookie } : {}) } });
    }

    async function post(url: string, payload: Record<string, string>, origin: string | null = PUBLIC_URL): Promise<LightMyRequestResponse> {
      return t.app.inject({ method: 'POST', url, headers: { host: HOST, ...(cookie ? { cookie } : {}), ...(origin ? { origin } : {}) }, payload });
    }

    async function platformRows() {
      return t.store.db.selectFrom('platforms').selectAll().orderBy('id').execute();
    }

    before(async () => {
      t = await createTestApp(kind, { PUBLIC_URL });
      await createAdmin(t.store.db, { username: USERNAME, password: PASSWORD }, t.clock.now);
      const login = await post('/admin/login', { username: USERNAME, password: PASSWORD });
      assert.equal(login.statusCode, 303, login.body);
      cookie = adminCookie(login);
      const home = await get('/admin/platforms');
      assert.equal(home.statusCode, 200);
      csrf = csrfOf(home.body);
    });
    after(async () => t.close());

    it('is linked from the admin navigation and needs a signed-in admin', async () => {
      const home = await get('/admin');
      assert.match(home.body, /<a href="\/admin\/platforms">Platforms \(LTI 1\.3\)<\/a>/);
      const page = await get('/admin/platforms');
      assert.match(page.body, /<a href="\/admin\/platforms" aria-current="page">/);
      assert.match(page.body, /No platforms yet/);
      assert.equal(page.headers['cache-control'], 'no-store');
      const signedOut = await t.app.inject({ method: 'GET', url: '/admin/platforms', headers: { host: HOST } });
      assert.equal(signedOut.statusCode, 303);
      assert.equal(signedOut.headers.location, '/admin/login?next=%2Fadmin%2Fplatforms');
    });

    it('the register form has a label for every field and shows the tool URLs of PUBLIC_URL', async () => {
      const res = await get('/admin/platforms/new');
      assert.equal(res.statusCode, 200);
      for (const field of ['name', 'issuer', 'clientId', 'authLoginUrl', 'tokenUrl', 'jwksUrl', 'tokenAudience', 'deployment']) {
        assert.match(res.body, new RegExp(`<label for="${field}">[^<]+</label>\\s*<input type="(text|url)" id="${field}" name="${field}"`), field);
      }
      assert.match(res.body, /readonly value="https:\/\/exams\.example\.edu\/lti\/login"/);
      assert.match(res.body, /readonly value="https:\/\/exams\.example\.edu\/lti\/jwks"/);
    });

    it('registers a platform, shows the tool URLs, and lists it with its deployment', async () => {
      const res = await post('/admin/platforms', { csrf, ...FORM, name: 'Main LMS', deployment: 'dep-1', tokenAudience: '' });
      assert.equal(res.statusCode, 201, res.body);
      assert.match(res.body, /<code>Main LMS<\/code> \(client ID <code>client-a<\/code>\) is registered/);
      assert.match(res.body, /<label for="tool-launch-url">[^<]+<\/label>\s*<input type="text" id="tool-launch-url" class="mono" readonly value="https:\/\/exams\.example\.edu\/lti\/launch"/);
      const [row] = await platformRows();
      assert.ok(row);
      assert.deepEqual([row.issuer, row.client_id, row.name, row.token_audience], ['https://lms.example.edu', 'client-a', 'Main LMS', null]);
      const list = await get('/admin/platforms');
      assert.match(list.body, /<h2 id="platform-\d+-title">Main LMS<\/h2>/);
      assert.match(list.body, /<li><code>dep-1<\/code><\/li>/);
      const consumers = await get('/admin');
      assert.doesNotMatch(consumers.body, /lti13:/, 'the platform tenant is not listed among consumers');
      // The same issuer with another client id is a second platform.
      const second = await post('/admin/platforms', { csrf, ...FORM, clientId: 'client-b' });
      assert.equal(second.statusCode, 201, second.body);
      assert.equal((await platformRows()).length, 2);
    });

    it('re-renders the form with each field problem, or 409 for a duplicate, storing nothing', async () => {
      const bad = await post('/admin/platforms', { csrf, ...FORM, clientId: 'c', tokenUrl: 'ftp://lms.example.edu/token', jwksUrl: 'nope' });
      assert.equal(bad.statusCode, 400);
      assert.match(bad.body, /role="alert"/);
      assert.match(bad.body, /id="tokenUrl" name="tokenUrl" value="ftp:\/\/lms\.example\.edu\/token"[^>]*aria-describedby="tokenUrl-error tokenUrl-hint" aria-invalid="true"/);
      assert.match(bad.body, /<p class="error-message" id="jwksUrl-error">The keyset \(JWKS\) URL &quot;nope&quot; is not an http\(s\) URL\.<\/p>/);
      assert.doesNotMatch(bad.body, /id="issuer-error"/);
      const dup = await post('/admin/platforms', { csrf, ...FORM });
      assert.equal(dup.statusCode, 409);
      assert.match(dup.body, /role="alert"[^>]*>A platform with the issuer &quot;https:\/\/lms\.example\.edu&quot; and the client ID &quot;client-a&quot; is already registered\./);
      assert.match(dup.body, /id="clientId-error"/);
      assert.equal((await platformRows()).length, 2);
    });

    it('refuses POSTs without the CSRF field, with a wrong one, or from another origin', async () => {
      const [row] = await platformRows();
      assert.ok(row);
      const attempts = [
        await post('/admin/platforms', { ...FORM, clientId: 'csrf-1' }),
        await post('/admin/platforms', { csrf: 'x'.repeat(43), ...FORM, clientId: 'csrf-2' }),
        await post('/admin/platforms', { csrf, ...FORM, clientId: 'csrf-3' }, 'https://evil.example'),
        await post('/admin/platforms/registration-url', {}),
        await post(`/admin/platforms/${row.id}/disable`, { csrf: `${csrf}x` }),
        await post(`/admin/platforms/${row.id}/delete`, { csrf }, `http://${HOST}`),
        await post(`/admin/platforms/${row.id}/deployments`, { deployment: 'csrf-4' }),
      ];
      for (const res of attempts) {
        assert.equal(res.statusCode, 403, res.body);
        assert.match(res.body, /role="alert"/);
      }
      assert.equal((await platformRows()).length, 2);
      assert.equal((await t.store.db.selectFrom('registration_tokens').select('token_hash').execute()).length, 0);
      assert.equal((await platformRows())[0]?.disabled_at, null);
    });

    it('adds deployments, showing a duplicate beside its form', async () => {
      const [row] = await platformRows();
      assert.ok(row);
      const added = await post(`/admin/platforms/${row.id}/deployments`, { csrf, deployment: 'dep-2' });
      assert.equal(added.statusCode, 303);
      assert.equal(added.headers.location, '/admin/platforms?done=deployment-added');
      const dup = await post(`/admin/platforms/${row.id}/deployments`, { csrf, deployment: 'dep-2' });
      assert.equal(dup.statusCode, 409);
      assert.match(dup.body, new RegExp(`id="deployment-${row.id}" name="deployment" value="dep-2"[^>]*aria-invalid="true" aria-describedby="deployment-${row.id}-error"`));
      assert.match(dup.body, new RegExp(`<p class="error-message" id="deployment-${row.id}-error" role="alert">The deployment &quot;dep-2&quot; is already recorded for this platform\\.</p>`));
      assert.equal((await post('/admin/platforms/999999/deployments', { csrf, deployment: 'x' })).statusCode, 404);
      const deployments = await t.store.db.selectFrom('platform_deployments').select('deployment_id').where('platform_id', '=', row.id).orderBy('id').execute();
      assert.deepEqual(deployments.map((d) => d.deployment_id), ['dep-1', 'dep-2']);
    });

    it('disables and enables a platform', async () => {
      const [row] = await platformRows();
      assert.ok(row);
      const off = await post(`/admin/platforms/${row.id}/disable`, { csrf });
      assert.equal(off.statusCode, 303);
      assert.equal(off.headers.location, '/admin/platforms?done=disabled');
      assert.notEqual((await platformRows())[0]?.disabled_at, null);
      const page = await get('/admin/platforms?done=disabled');
      assert.match(page.body, /role="status"[^>]*>The platform was disabled/);
      assert.match(page.body, />Enable<span class="visually-hidden"> Main LMS<\/span><\/button>/);
      assert.equal((await post(`/admin/platforms/${row.id}/enable`, { csrf })).statusCode, 303);
      assert.equal((await platformRows())[0]?.disabled_at, null);
      assert.equal((await post('/admin/platforms/999999/disable', { csrf })).statusCode, 404);
    });

    it('issues a one-time registration URL on PUBLIC_URL, shown once and stored only hashed', async () => {
      const res = await post('/admin/platforms/registration-url', { csrf });
      assert.equal(res.statusCode, 201, res.body);
      assert.equal(res.headers['cache-control'], 'no-store');
      const match = /<label for="registration-url">Registration URL<\/label>\s*<input type="text" id="registration-url" class="mono" readonly value="https:\/\/exams\.example\.edu\/lti\/register\?token=([A-Za-z0-9_-]{40,})"/.exec(res.body);
      assert.ok(match?.[1], 'the page shows the URL with its token');
      const token = match[1];
      const rows = await t.store.db.selectFrom('registration_tokens').selectAll().execute();
      assert.equal(rows.length, 1);
      assert.equal(rows[0]?.token_hash, createHash('sha256').update(token).digest('hex'));
      assert.equal(rows[0]?.expires_at, t.clock.now + 3600 * 1000);
      const list = await get('/admin/platforms');
      assert.ok(!list.body.includes(token), 'the token is never shown again');
    });

    it('the LMS setup page has an LTI 1.3 section with the tool URLs and links to the platforms', async () => {
      const res = await get('/admin/lms-setup');
      assert.match(res.body, /<h2 id="lti13">LTI 1\.3<\/h2>/);
      for (const [id, path] of [['login-url', '/lti/login'], ['launch-url', '/lti/launch'], ['jwks-url', '/lti/jwks'], ['register-url', '/lti/register']]) {
        assert.match(res.body, new RegExp(`<label for="lti13-${id}">[^<]+</label>\\s*<input type="text" id="lti13-${id}" class="mono" readonly value="https://exams\\.example\\.edu${path}"`), id);
      }
      assert.match(res.body, /<a href="\/admin\/platforms">/);
      assert.match(res.body, /<a href="\/admin\/platforms\/new">/);
    });

    it('escapes platform values that look like markup', async () => {
      const res = await post('/admin/platforms', { csrf, ...FORM, clientId: XSS, name: XSS, deployment: XSS });
      assert.equal(res.statusCode, 201, res.body);
      assert.doesNotMatch(res.body, /<script>alert/);
      const list = await get('/admin/platforms');
      assert.doesNotMatch(list.body, /<script>alert/);
      assert.match(list.body, /<code>&lt;script&gt;alert\(1\)&lt;\/script&gt;<\/code>/);
      const bad = await post('/admin/platforms', { csrf, ...FORM, clientId: 'z', issuer: `${XSS}` });
      assert.equal(bad.statusCode, 400);
      assert.doesNotMatch(bad.body, /<script>alert/);
    });

    it('the delete confirmation states the counts, and deleting removes the platform and its tenant', async () => {
      const [row] = await platformRows();
      assert.ok(row);
      const now = t.clock.now;
      await t.store.db
        .insertInto('users')
        .values(['u1', 'u2'].map((id) => ({ consumer_id: row.consumer_id, lti_user_id: id, name_given: null, name_family: null, name_full: null, email: null, username: null, created_at: now, updated_at: now })))
        .execute();
      const confirm = await get(`/admin/platforms/${row.id}/delete`);
      assert.equal(confirm.statusCode, 200);
      assert.match(confirm.body, /its 2 deployments, <strong>0 links<\/strong> and <strong>2 users<\/strong>/);
      assert.match(confirm.body, /<button type="submit" class="danger">/);
      assert.equal((await platformRows())[0]?.id, row.id, 'the GET changes nothing');
      const res = await post(`/admin/platforms/${row.id}/delete`, { csrf });
      assert.equal(res.statusCode, 303);
      assert.equal(res.headers.location, '/admin/platforms?done=deleted');
      assert.ok(!(await platformRows()).some((p) => p.id === row.id));
      assert.equal(await t.store.db.selectFrom('consumers').select('id').where('id', '=', row.consumer_id).executeTakeFirst(), undefined);
      assert.equal((await get(`/admin/platforms/${row.id}/delete`)).statusCode, 404);
      assert.equal((await get('/admin/platforms/abc/delete')).statusCode, 400);
    });
  });
}
