import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isInternalAddress } from '../../src/lib/internal-address.js';
import { issueRegistrationToken } from '../../src/commands/issue-registration-token.js';
import { listPlatforms } from '../../src/commands/list-platforms.js';
import { SCOPE, startTestPlatform, type TestPlatform } from '../helpers/test-platform/index.js';
import { TOOL_CONFIGURATION } from '../helpers/test-platform/lti-names.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';
import { databaseKinds } from '../helpers/test-store.js';

const TOOL = 'https://tool.example.edu';

/** The path and query of a URL, for app.inject. */
function pathOf(url: string): string {
  const u = new URL(url);
  return u.pathname + u.search;
}

for (const kind of databaseKinds()) {
  describe(`LTI dynamic registration (${kind})`, () => {
    let t: TestApp;
    let open: TestApp;
    let platform: TestPlatform;

    before(async () => {
      t = await createTestApp(kind, { PUBLIC_URL: TOOL, INSTANCE_NAME: 'Exams' });
      open = await createTestApp(kind, { PUBLIC_URL: TOOL, OPEN_REGISTRATION: '1' });
      platform = await startTestPlatform();
    });
    after(async () => {
      await platform.close();
      await t.close();
      await open.close();
    });
    afterEach(() => platform.tamperOpenidConfiguration(null));

    async function register(app: TestApp, toolToken: string | null) {
      const toolUrl = toolToken === null ? `${TOOL}/lti/register` : `${TOOL}/lti/register?token=${encodeURIComponent(toolToken)}`;
      return app.app.inject({ method: 'GET', url: pathOf(platform.registrationLaunchUrl(toolUrl)) });
    }

    it('refuses without a one-time token, fetching nothing and storing nothing', async () => {
      const before = platform.registrations().length;
      const res = await register(t, null);
      assert.equal(res.statusCode, 403);
      assert.match(res.headers['content-type'] as string, /text\/html/);
      assert.match(res.body, /one-time registration URL/);
      assert.equal(platform.registrations().length, before);
      assert.equal((await listPlatforms(t.store.db)).length, 0);
    });

    it('refuses an unknown token', async () => {
      const res = await register(t, 'not-a-token');
      assert.equal(res.statusCode, 403);
      assert.match(res.body, /not valid/);
    });

    it('refuses a platform whose issuer is not on the configuration host, and keeps the token usable', async () => {
      const { token } = await issueRegistrationToken(t.store.db, t.clock.now);
      platform.tamperOpenidConfiguration((config) => {
        config.issuer = 'https://lms.elsewhere.example';
      });
      const refused = await register(t, token);
      assert.equal(refused.statusCode, 400);
      assert.match(refused.body, /issuer/);
      assert.match(refused.body, /registration refused/);
      assert.equal((await listPlatforms(t.store.db)).length, 0);
      platform.tamperOpenidConfiguration(null);
      const accepted = await register(t, token);
      assert.equal(accepted.statusCode, 200, accepted.body);
    });

    it('registers the platform and its deployment, uses the token up and closes with the postMessage script', async () => {
      const { token } = await issueRegistrationToken(t.store.db, t.clock.now);
      const res = await register(t, token);
      assert.equal(res.statusCode, 200, res.body);
      // No inline script: the page loads our script, under a CSP allowing only our own.
      assert.match(res.body, /<script src="\/static\/lti-close\.js" defer><\/script>/);
      assert.doesNotMatch(res.body, /<script>/);
      assert.match(res.headers['content-security-policy'] as string, /script-src 'self'/);

      const record = platform.registrations().at(-1);
      assert.ok(record?.accepted, record?.detail ?? 'no registration');
      const request = record.request as Record<string, unknown>;
      assert.equal(request.initiate_login_uri, `${TOOL}/lti/login`);
      assert.deepEqual(request.redirect_uris, [`${TOOL}/lti/launch`]);
      assert.equal(request.jwks_uri, `${TOOL}/lti/jwks`);
      assert.equal(request.client_name, 'Exams');
      const scopes = String(request.scope).split(' ');
      for (const s of [SCOPE.lineItem, SCOPE.score, SCOPE.resultReadonly, SCOPE.memberships]) assert.ok(scopes.includes(s), s);
      const tool = request[TOOL_CONFIGURATION] as { domain: string; claims: string[]; messages: Array<{ type: string }>; custom_parameters: Record<string, string> };
      assert.equal(tool.domain, 'tool.example.edu');
      assert.ok(tool.claims.includes('email'));
      assert.deepEqual(
        tool.messages.map((m) => m.type),
        ['LtiResourceLinkRequest', 'LtiDeepLinkingRequest', 'LtiSubmissionReviewRequest'],
      );
      assert.equal(tool.custom_parameters.context_id_history, '$Context.id.history');
      assert.equal(tool.custom_parameters.resource_link_id_history, '$ResourceLink.id.history');

      const stored = (await listPlatforms(t.store.db)).find((p) => p.clientId === record.clientId);
      assert.ok(stored, 'the platform is stored');
      assert.equal(stored.issuer, platform.issuer);
      assert.equal(stored.authLoginUrl, platform.authUrl);
      assert.equal(stored.tokenUrl, platform.tokenUrl);
      assert.equal(stored.jwksUrl, platform.jwksUrl);
      assert.deepEqual(stored.deployments, [record.deploymentId]);
      assert.match(res.body, new RegExp(String(record.clientId)));

      const again = await register(t, token);
      assert.equal(again.statusCode, 403);
      assert.match(again.body, /already been used/);
    });

    it('serves the close script posting org.imsglobal.lti.close to the opener or parent', async () => {
      const res = await t.app.inject({ method: 'GET', url: '/static/lti-close.js' });
      assert.equal(res.statusCode, 200);
      assert.match(res.headers['content-type'] as string, /javascript/);
      assert.match(res.body, /window\.opener \|\| /);
      assert.match(res.body, /window\.parent/);
      assert.match(res.body, /postMessage\(\{ subject: 'org\.imsglobal\.lti\.close' \}/);
    });

    it('explains itself when opened without openid_configuration', async () => {
      const res = await t.app.inject({ method: 'GET', url: '/lti/register?token=x' });
      assert.equal(res.statusCode, 400);
      assert.match(res.body, /openid_configuration/);
    });

    it('open registration needs no token but refuses internal addresses and URLs with credentials', async () => {
      const loopback = await register(open, null);
      assert.equal(loopback.statusCode, 400);
      assert.match(loopback.body, /internal address/);
      const creds = await open.app.inject({
        method: 'GET',
        url: `/lti/register?openid_configuration=${encodeURIComponent('https://user:pw@lms.example.edu/.well-known/openid-configuration')}`,
      });
      assert.equal(creds.statusCode, 400);
      assert.match(creds.body, /user name or password/);
      const ftp = await open.app.inject({ method: 'GET', url: `/lti/register?openid_configuration=${encodeURIComponent('ftp://lms.example.edu/x')}` });
      assert.equal(ftp.statusCode, 400);
      assert.equal((await listPlatforms(open.store.db)).length, 0);
    });
  });
}

describe('internal address check', () => {
  it('tells internal addresses from public ones', () => {
    for (const a of ['127.0.0.1', '10.1.2.3', '172.16.0.1', '192.168.1.1', '169.254.169.254', '0.0.0.0', '::1', 'fd00::1', 'fe80::1', '::ffff:127.0.0.1', '100.64.0.1']) {
      assert.equal(isInternalAddress(a), true, a);
    }
    for (const a of ['93.184.216.34', '8.8.8.8', '2606:4700::1111', '172.32.0.1']) assert.equal(isInternalAddress(a), false, a);
  });
});
