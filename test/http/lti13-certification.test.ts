/**
 * The 1EdTech LTI 1.3 certification's launch cases, through a real login against the test
 * platform: every known bad payload is refused with a clear message and stores nothing; every
 * valid variant is accepted and opens a working session.
 */
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestApp, type TestApp } from '../helpers/test-app.js';
import { databaseKinds } from '../helpers/test-store.js';
import { BAD_TOKEN_KINDS, type BadTokenKind, VALID_VARIANTS, startTestPlatform, type TestPlatform } from '../helpers/test-platform/index.js';
import { fullLaunch, loginAndAuthorize, postLaunch, registerWithTool, sessionOf, storedCounts, tokenFrom } from '../helpers/lti13-tool-flow.js';

/** What each refusal says (on the page, HTML-unescaped), and its status. */
const EXPECTED: Record<BadTokenKind, { status: number; message: RegExp }> = {
  no_kid: { status: 400, message: /header has no "kid"/ },
  unknown_kid: { status: 400, message: /names key "unknown-[^"]+", which the platform does not publish/ },
  wrong_version: { status: 400, message: /LTI version "1\.2\.0" is not 1\.3\.0/ },
  no_version: { status: 400, message: /no LTI version claim/ },
  not_jwt: { status: 400, message: /not a JWT/ },
  no_message_type: { status: 400, message: /no message_type claim/ },
  no_roles: { status: 400, message: /no roles claim/ },
  no_deployment_id: { status: 400, message: /no deployment_id claim/ },
  no_resource_link_id: { status: 400, message: /no resource link id/ },
  no_sub: { status: 400, message: /no user id \(sub claim\)/ },
  expired: { status: 400, message: /has expired/ },
  alg_none: { status: 400, message: /signed with "none"; only RS256/ },
  hs256: { status: 400, message: /signed with "HS256"; only RS256/ },
  wrong_aud: { status: 401, message: /client id "another-tool"/ },
  nonce_replay: { status: 409, message: /already been used \(nonce replay\)/ },
  bad_state: { status: 400, message: /not issued by this tool or has been altered/ },
};

function pageText(body: string): string {
  return body.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

for (const kind of databaseKinds()) {
  describe(`LTI 1.3 certification cases on ${kind}`, () => {
    let t: TestApp;
    let platform: TestPlatform;

    before(async () => {
      t = await createTestApp(kind);
      platform = await startTestPlatform({ now: () => t.clock.now });
      await registerWithTool(t, platform, 'cert-client');
    });
    after(async () => {
      await platform.close();
      await t.close();
    });
    beforeEach(() => {
      t.clock.now = Date.now();
    });

    for (const bad of BAD_TOKEN_KINDS) {
      it(`refuses ${bad} with a clear message and stores nothing`, async () => {
        const { auth, cookies } = await loginAndAuthorize(t, platform, { clientId: 'cert-client' });
        if (bad === 'nonce_replay') assert.equal((await postLaunch(t, auth.form, cookies)).statusCode, 303, 'the first use is accepted');
        const before = await storedCounts(t);
        const token = await platform.badToken(bad, { clientId: 'cert-client', nonce: auth.nonce, state: auth.state });
        const res = await postLaunch(t, { id_token: token.idToken, state: token.state }, cookies);
        const expected = EXPECTED[bad];
        assert.equal(res.statusCode, expected.status, `${bad}: ${res.body}`);
        assert.match(String(res.headers['content-type']), /text\/html/);
        assert.match(pageText(res.body), expected.message);
        assert.doesNotMatch(res.body, /at .*\.ts:\d+/, 'no stack trace');
        assert.deepEqual(await storedCounts(t), before, `${bad} must store nothing`);
      });
    }

    for (const [name, variant] of Object.entries(VALID_VARIANTS)) {
      it(`accepts a launch with ${name}`, async () => {
        const res = await fullLaunch(t, platform, { clientId: 'cert-client', launch: { sub: `variant-user-${name}`, ...variant, resourceLink: { id: `variant-${name}` } } });
        assert.equal(res.statusCode, 303, `${name}: ${res.body}`);
        const session = await sessionOf(t, tokenFrom(res.headers.location));
        assert.equal(session.status, 200);
        if (name === 'no context') assert.equal(session.body.context, null);
        if (name === 'no personal data') assert.equal((session.body.user as { name: unknown }).name, null);
        if (name === 'empty roles' || name === 'unknown roles' || name === 'short role names') assert.equal(session.body.role, 'student');
        if (name === 'multiple roles') assert.equal(session.body.role, 'instructor');
      });
    }
  });
}
