import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { runInNewContext } from 'node:vm';
import { type CryptoKey, SignJWT, createRemoteJWKSet, decodeJwt, decodeProtectedHeader, errors, generateKeyPair, jwtVerify } from 'jose';
import { BAD_TOKEN_KINDS, CLAIM, MESSAGE, SCOPE, type TestPlatform, startTestPlatform } from '../helpers/test-platform/index.js';
import { type StandInToolKeys, startToolKeys } from '../helpers/test-platform/tool-keys.js';

const TOOL = 'http://127.0.0.1:9/lti';

describe('test platform: keys, login and launch tokens', () => {
  let platform: TestPlatform;
  before(async () => {
    platform = await startTestPlatform({ clients: [{ clientId: 'tool-1', deploymentIds: ['dep-1'], redirectUris: [`${TOOL}/launch`] }] });
  });
  after(() => platform.close());

  test('publishes its public RS256 key at /jwks, without private parts', async () => {
    const res = await fetch(platform.jwksUrl);
    assert.equal(res.status, 200);
    const body = (await res.json()) as { keys: Array<Record<string, unknown>> };
    assert.equal(body.keys.length, 1);
    assert.equal(body.keys[0]?.kty, 'RSA');
    assert.equal(body.keys[0]?.alg, 'RS256');
    assert.equal(typeof body.keys[0]?.kid, 'string');
    assert.equal(body.keys[0]?.d, undefined);
  });

  test('a minted id_token verifies with jose against /jwks and carries the LTI claims', async () => {
    const minted = await platform.mintIdToken({ sub: 'u-7', roles: ['Learner'] });
    const { payload, protectedHeader } = await jwtVerify(minted.idToken, createRemoteJWKSet(new URL(platform.jwksUrl)), {
      algorithms: ['RS256'],
      issuer: platform.issuer,
      audience: 'tool-1',
    });
    assert.equal(protectedHeader.kid, platform.jwks().keys[0]?.kid);
    assert.equal(payload.sub, 'u-7');
    assert.equal(payload.nonce, minted.nonce);
    assert.equal(payload[CLAIM.messageType], MESSAGE.resourceLink);
    assert.equal(payload[CLAIM.version], '1.3.0');
    assert.equal(payload[CLAIM.deploymentId], 'dep-1');
    assert.deepEqual(payload[CLAIM.roles], ['Learner']);
    assert.equal((payload[CLAIM.ags] as { lineitems: string }).lineitems, platform.lineItemsUrl('course-1'));
  });

  test('overrides and mutate change the token; a rotated key is published beside the old one', async () => {
    const minted = await platform.mintIdToken({ overrides: { [CLAIM.custom]: { a: '1' }, email: undefined }, mutate: (p) => void (p.extra = true) });
    assert.deepEqual(minted.payload[CLAIM.custom], { a: '1' });
    assert.equal('email' in minted.payload, false);
    assert.equal(minted.payload.extra, true);
    const kid = await platform.rotateKey();
    assert.equal(platform.jwks().keys.length, 2);
    const next = await platform.mintIdToken();
    assert.equal(decodeProtectedHeader(next.idToken).kid, kid);
  });

  test('deep linking and submission review tokens carry their own claims', async () => {
    const deep = await platform.mintIdToken({ kind: 'deep_linking' });
    assert.equal(deep.payload[CLAIM.messageType], MESSAGE.deepLinking);
    assert.equal(deep.payload[CLAIM.resourceLink], undefined);
    const settings = deep.payload[CLAIM.deepLinkingSettings] as { deep_link_return_url: string; accept_types: string[]; data: string };
    assert.equal(settings.deep_link_return_url, platform.deepLinkReturnUrl);
    assert.deepEqual(settings.accept_types, ['ltiResourceLink']);
    assert.match(settings.data, /^dl-/);
    const item = platform.createLineItem('course-1', { label: 'Exam', scoreMaximum: 10 });
    const review = await platform.mintIdToken({ kind: 'submission_review', forUser: { user_id: 's-3' } });
    assert.equal(review.payload[CLAIM.messageType], MESSAGE.submissionReview);
    assert.deepEqual(review.payload[CLAIM.forUser], { user_id: 's-3' });
    assert.equal((review.payload[CLAIM.ags] as { lineitem: string }).lineitem, item.id);
    const migrated = await platform.mintIdToken({ lti1p1: { userId: 'old-7', consumerKey: 'key', consumerSecret: 'secret' } });
    const claim = migrated.payload[CLAIM.lti1p1] as Record<string, string>;
    assert.equal(claim.user_id, 'old-7');
    assert.match(claim.oauth_consumer_key_sign ?? '', /^[A-Za-z0-9+/]{43}=$/);
  });

  test('login initiation by GET and POST; /auth checks the redirect and form_posts id_token and state', async () => {
    const get = platform.loginInitiation({ toolLoginUrl: `${TOOL}/login`, targetLinkUri: `${TOOL}/launch`, loginHint: 'u-1', messageHint: 'm-1', method: 'GET', storageTarget: '_parent' });
    const sent = new URL(get.url);
    assert.equal(sent.searchParams.get('iss'), platform.issuer);
    assert.equal(sent.searchParams.get('client_id'), 'tool-1');
    assert.equal(sent.searchParams.get('lti_deployment_id'), 'dep-1');
    assert.equal(sent.searchParams.get('lti_storage_target'), '_parent');
    const post = platform.loginInitiation({ toolLoginUrl: `${TOOL}/login`, targetLinkUri: `${TOOL}/launch`, loginHint: 'u-1', messageHint: 'm-1', method: 'POST' });
    assert.equal(post.url, `${TOOL}/login`);
    assert.match(post.html, /method="post"/);

    const redirect = new URL(platform.authUrl);
    const params = { scope: 'openid', response_type: 'id_token', response_mode: 'form_post', prompt: 'none', client_id: 'tool-1', redirect_uri: `${TOOL}/launch`, login_hint: 'u-1', lti_message_hint: 'm-1', state: 'st-1', nonce: 'n-1' };
    for (const [k, v] of Object.entries(params)) redirect.searchParams.set(k, v);
    const auth = await platform.authorize(redirect.href);
    assert.equal(auth.state, 'st-1');
    assert.equal(auth.redirectUri, `${TOOL}/launch`);
    const claims = decodeJwt(auth.idToken);
    assert.equal(claims.nonce, 'n-1');
    assert.equal(claims.sub, 'u-1');

    const page = await fetch(redirect);
    const html = await page.text();
    assert.equal(page.status, 200);
    assert.match(html, new RegExp(`action="${TOOL}/launch"`));
    assert.match(html, /name="id_token" value="ey/);
    assert.match(html, /name="state" value="st-1"/);

    for (const [name, value, reason] of [
      ['redirect_uri', 'http://evil.test/launch', /redirect_uri/],
      ['prompt', 'login', /prompt/],
      ['response_mode', 'fragment', /response_mode/],
      ['scope', 'profile', /openid/],
      ['login_hint', 'someone-else', /login_hint/],
      ['nonce', '', /nonce/],
    ] as const) {
      const bad = new URL(redirect);
      bad.searchParams.set(name, value);
      await assert.rejects(platform.authorize(bad), reason);
      assert.equal((await fetch(bad)).status, 400);
    }
    assert.ok(platform.authRequests().some((r) => r.status === 400 && r.detail?.includes('redirect_uri')));
  });

  test('every certification bad token carries its defect and jose refuses or flags it', async () => {
    const jwks = createRemoteJWKSet(new URL(platform.jwksUrl));
    const strict = (token: string) => jwtVerify(token, jwks, { algorithms: ['RS256'], issuer: platform.issuer, audience: 'tool-1' });
    const kinds = new Set(BAD_TOKEN_KINDS);
    for (const kind of kinds) {
      const bad = await platform.badToken(kind, { nonce: 'nonce-x', state: 'state-x' });
      assert.equal(bad.state === 'state-x', kind !== 'bad_state', kind);
      if (kind === 'not_jwt') {
        assert.throws(() => decodeJwt(bad.idToken), errors.JWTInvalid);
        continue;
      }
      const header = decodeProtectedHeader(bad.idToken);
      const claims = decodeJwt(bad.idToken);
      if (kind === 'alg_none') assert.equal(header.alg, 'none');
      if (kind === 'hs256') assert.equal(header.alg, 'HS256');
      if (kind === 'no_kid') assert.equal(header.kid, undefined);
      if (kind === 'wrong_version') assert.equal(claims[CLAIM.version], '1.2.0');
      if (kind === 'no_version') assert.equal(claims[CLAIM.version], undefined);
      if (kind === 'no_message_type') assert.equal(claims[CLAIM.messageType], undefined);
      if (kind === 'no_roles') assert.equal(claims[CLAIM.roles], undefined);
      if (kind === 'no_deployment_id') assert.equal(claims[CLAIM.deploymentId], undefined);
      if (kind === 'no_resource_link_id') assert.deepEqual(claims[CLAIM.resourceLink], { title: 'Exam' });
      if (kind === 'no_sub') assert.equal(claims.sub, undefined);
      assert.equal(claims.nonce, 'nonce-x', kind);
      const refusedBySignatureOrClaims = ['alg_none', 'hs256', 'unknown_kid', 'expired', 'wrong_aud'].includes(kind);
      if (refusedBySignatureOrClaims) await assert.rejects(strict(bad.idToken), errors.JOSEError, kind);
      else if (kind !== 'no_kid') await strict(bad.idToken);
    }
  });

  test('the storage frame answers put_data, get_data and capabilities for tool origins only', async () => {
    const html = await (await fetch(platform.storageFrameUrl)).text();
    const script = /<script>([\s\S]*?)<\/script>/.exec(html)?.[1] ?? '';
    let listener: ((event: unknown) => void) | null = null;
    const window = { addEventListener: (_type: string, fn: (event: unknown) => void) => void (listener = fn) } as Record<string, unknown>;
    runInNewContext(script, { window });
    // Replies are made in the vm's realm; JSON makes them plain objects of this one.
    const replies: Array<{ reply: Record<string, unknown>; origin: string }> = [];
    const send = (origin: string, data: Record<string, unknown>): void => {
      assert.ok(listener);
      listener({ origin, data, source: { postMessage: (reply: Record<string, unknown>, to: string) => void replies.push({ reply: JSON.parse(JSON.stringify(reply)) as Record<string, unknown>, origin: to }) } });
    };
    const tool = new URL(TOOL).origin;
    send(tool, { subject: 'lti.capabilities', message_id: '1' });
    send(tool, { subject: 'lti.put_data', message_id: '2', key: 'state', value: 'abc' });
    send(tool, { subject: 'lti.get_data', message_id: '3', key: 'state' });
    send('http://elsewhere.test', { subject: 'lti.get_data', message_id: '4', key: 'state' });
    send(tool, { subject: 'org.imsglobal.lti.get_data', message_id: '5', key: 'missing' });
    assert.equal(replies.length, 4);
    assert.equal(replies[0]?.reply.subject, 'lti.capabilities.response');
    assert.deepEqual(replies[0]?.reply.supported_messages, [
      { subject: 'lti.capabilities' },
      { subject: 'lti.put_data', frame: 'post_message_forwarding' },
      { subject: 'lti.get_data', frame: 'post_message_forwarding' },
    ]);
    assert.deepEqual(replies[1]?.reply, { subject: 'lti.put_data.response', message_id: '2', key: 'state', value: 'abc' });
    assert.deepEqual(replies[2], { reply: { subject: 'lti.get_data.response', message_id: '3', key: 'state', value: 'abc' }, origin: tool });
    assert.equal((replies[3]?.reply.error as { code: string }).code, 'bad_request');
    assert.equal(replies[3]?.reply.subject, 'org.imsglobal.lti.get_data.response');
  });
});

describe('test platform: token endpoint', () => {
  let platform: TestPlatform;
  let tool: StandInToolKeys;
  before(async () => {
    tool = await startToolKeys();
    platform = await startTestPlatform({ clients: [{ clientId: 'tool-1', toolJwksUrl: tool.jwksUrl, allowedScopes: [SCOPE.score, SCOPE.lineItem] }] });
  });
  after(async () => {
    await platform.close();
    await tool.close();
  });

  const assertion = (claims: { iss?: string; sub?: string; aud?: string; jti?: string; expiresIn?: string }, key?: CryptoKey, kid?: string) =>
    new SignJWT({})
      .setProtectedHeader({ alg: 'RS256', kid: kid ?? tool.kid })
      .setIssuer(claims.iss ?? 'tool-1')
      .setSubject(claims.sub ?? 'tool-1')
      .setAudience(claims.aud ?? platform.tokenAudience)
      .setIssuedAt()
      .setExpirationTime(claims.expiresIn ?? '5m')
      .setJti(claims.jti ?? crypto.randomUUID())
      .sign(key ?? tool.privateKey);

  const requestToken = async (clientAssertion: string, scope = `${SCOPE.score} ${SCOPE.memberships}`) => {
    const res = await fetch(platform.tokenUrl, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: clientAssertion, scope }),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  test('accepts a good assertion and grants the requested scopes it allows', async () => {
    const { status, body } = await requestToken(await assertion({}));
    assert.equal(status, 200);
    assert.equal(body.token_type, 'Bearer');
    assert.equal(body.expires_in, 3600);
    assert.equal(body.scope, SCOPE.score);
    assert.equal(typeof body.access_token, 'string');
  });

  test('refuses a reused jti, a wrong audience, iss != sub, an unknown client, an expired or foreign-signed assertion', async () => {
    const once = await assertion({ jti: 'same' });
    assert.equal((await requestToken(once)).status, 200);
    const other = await generateKeyPair('RS256');
    const cases: Array<[string, string, RegExp]> = [
      ['reused jti', once, /jti/],
      ['wrong aud', await assertion({ aud: 'http://elsewhere.test/token' }), /aud/],
      ['iss != sub', await assertion({ sub: 'someone' }), /sub/],
      ['unknown client', await assertion({ iss: 'nobody', sub: 'nobody' }), /Unknown client/],
      ['expired', await assertion({ expiresIn: '-1m' }), /exp/],
      ['foreign key', await assertion({}, other.privateKey), /signature/],
      ['not a JWT', 'garbage', /not a JWT/],
    ];
    for (const [name, token, reason] of cases) {
      const { status, body } = await requestToken(token);
      assert.equal(status, 401, name);
      assert.equal(body.error, 'invalid_client', name);
      assert.match(String(body.error_description), reason, name);
    }
    const noScope = await requestToken(await assertion({}), SCOPE.memberships);
    assert.equal(noScope.status, 400);
    assert.equal(noScope.body.error, 'invalid_scope');
    assert.equal(platform.tokenRequests().filter((r) => r.status === 200).length, 2);
  });
});
