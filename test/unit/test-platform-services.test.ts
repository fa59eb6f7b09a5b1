import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { SignJWT } from 'jose';
import { CLAIM, MEDIA, MESSAGE, SCOPE, type TestPlatform, startTestPlatform } from '../helpers/test-platform/index.js';
import { type StandInToolKeys, startToolKeys } from '../helpers/test-platform/tool-keys.js';

const TOOL = 'http://127.0.0.1:9/lti';

describe('test platform: AGS, NRPS, deep linking and registration', () => {
  let platform: TestPlatform;
  let tool: StandInToolKeys;
  before(async () => {
    tool = await startToolKeys();
    platform = await startTestPlatform({
      pageSize: 2,
      clients: [{ clientId: 'tool-1', deploymentIds: ['dep-1'], redirectUris: [`${TOOL}/launch`], toolJwksUrl: tool.jwksUrl }],
    });
  });
  after(async () => {
    await platform.close();
    await tool.close();
  });

  async function token(scopes: string[]): Promise<string> {
    const assertion = await new SignJWT({})
      .setProtectedHeader({ alg: 'RS256', kid: tool.kid })
      .setIssuer('tool-1')
      .setSubject('tool-1')
      .setAudience(platform.tokenAudience)
      .setIssuedAt()
      .setExpirationTime('5m')
      .setJti(crypto.randomUUID())
      .sign(tool.privateKey);
    const res = await fetch(platform.tokenUrl, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
        client_assertion: assertion,
        scope: scopes.join(' '),
      }),
    });
    assert.equal(res.status, 200);
    return String(((await res.json()) as { access_token: string }).access_token);
  }

  /** Every page of a paginated endpoint, following Link rel="next". */
  async function allPages(url: string, bearer: string): Promise<{ pages: number; items: unknown[] }> {
    const items: unknown[] = [];
    let next: string | null = url;
    let pages = 0;
    while (next !== null) {
      const res: Response = await fetch(next, { headers: { Authorization: `Bearer ${bearer}` } });
      assert.equal(res.status, 200);
      const body = (await res.json()) as unknown[] | { members: unknown[] };
      items.push(...(Array.isArray(body) ? body : body.members));
      pages++;
      next = /<([^>]+)>;\s*rel="next"/.exec(res.headers.get('link') ?? '')?.[1] ?? null;
    }
    return { pages, items };
  }

  test('line items: create, list with filters and Link rel="next" paging, update, delete', async () => {
    const bearer = await token([SCOPE.lineItem]);
    const url = platform.lineItemsUrl('course-9');
    const post = (body: unknown, type: string = MEDIA.lineItem) =>
      fetch(url, { method: 'POST', headers: { Authorization: `Bearer ${bearer}`, 'Content-Type': type }, body: JSON.stringify(body) });
    assert.equal((await post({ label: 'x', scoreMaximum: 1 }, 'application/json')).status, 415);
    assert.equal((await post({ label: 'x', scoreMaximum: 0 })).status, 400);
    for (const n of [1, 2, 3]) assert.equal((await post({ label: `Exam ${n}`, scoreMaximum: 10, resourceId: `r-${n}`, tag: 'exam' })).status, 201);
    const listed = await allPages(url, bearer);
    assert.equal(listed.pages, 2);
    assert.deepEqual(listed.items.map((i) => (i as { label: string }).label), ['Exam 1', 'Exam 2', 'Exam 3']);
    const filtered = await allPages(`${url}?resource_id=r-2`, bearer);
    assert.equal(filtered.items.length, 1);
    const id = (filtered.items[0] as { id: string }).id;
    const put = await fetch(id, { method: 'PUT', headers: { Authorization: `Bearer ${bearer}`, 'Content-Type': MEDIA.lineItem }, body: JSON.stringify({ id, label: 'Renamed', scoreMaximum: 20 }) });
    assert.equal(put.status, 200);
    assert.equal(platform.lineItems('course-9').find((i) => i.id === id)?.label, 'Renamed');
    assert.equal((await fetch(id, { method: 'DELETE', headers: { Authorization: `Bearer ${bearer}` } })).status, 204);
    assert.equal(platform.lineItems('course-9').length, 2);
    assert.equal((await fetch(url)).status, 401);
  });

  test('scores need the score scope and the score media type; every score is recorded; results follow the latest', async () => {
    const item = platform.createLineItem('course-9', { label: 'Final', scoreMaximum: 50 });
    const scoreBearer = await token([SCOPE.score]);
    const send = (bearer: string, body: Record<string, unknown>, type: string = MEDIA.score) =>
      fetch(`${item.id}/scores`, { method: 'POST', headers: { Authorization: `Bearer ${bearer}`, 'Content-Type': type }, body: JSON.stringify(body) });
    const base = { userId: 's-1', timestamp: '2026-01-01T10:00:00.000Z', activityProgress: 'Started', gradingProgress: 'NotReady' };
    assert.equal((await send(await token([SCOPE.lineItem]), base)).status, 403);
    assert.equal((await send(scoreBearer, base, 'application/json')).status, 415);
    assert.equal((await send(scoreBearer, { ...base, activityProgress: 'Done' })).status, 400);
    assert.equal((await send(scoreBearer, base)).status, 204);
    const final = { ...base, timestamp: '2026-01-01T11:00:00.000Z', activityProgress: 'Completed', gradingProgress: 'FullyGraded', scoreGiven: 8, scoreMaximum: 10 };
    assert.equal((await send(scoreBearer, final)).status, 204);
    assert.equal((await send(scoreBearer, { ...final, scoreGiven: 1, timestamp: '2026-01-01T09:00:00.000Z' })).status, 204);
    const scores = platform.scores({ lineItemId: item.id });
    assert.deepEqual(scores.map((s) => [s.activityProgress, s.gradingProgress, s.applied]), [
      ['Started', 'NotReady', true],
      ['Completed', 'FullyGraded', true],
      ['Completed', 'FullyGraded', false],
    ]);
    const results = await fetch(`${item.id}/results`, { headers: { Authorization: `Bearer ${await token([SCOPE.resultReadonly])}` } });
    assert.equal(results.headers.get('content-type'), MEDIA.resultContainer);
    assert.deepEqual(((await results.json()) as Array<{ resultScore: number }>).map((r) => r.resultScore), [40]);
  });

  test('memberships are served page by page with Link rel="next"', async () => {
    platform.setMembers('course-9', [1, 2, 3, 4, 5].map((n) => ({ user_id: `u-${n}`, roles: ['http://purl.imsglobal.org/vocab/lis/v2/membership#Learner'] })));
    const { pages, items } = await allPages(`${platform.origin}/contexts/course-9/memberships`, await token([SCOPE.memberships]));
    assert.equal(pages, 3);
    assert.deepEqual(items.map((m) => (m as { user_id: string }).user_id), ['u-1', 'u-2', 'u-3', 'u-4', 'u-5']);
  });

  test('a deep linking response signed by the tool creates resource links and line items; bad ones are refused', async () => {
    const request = await platform.mintIdToken({ kind: 'deep_linking', context: { id: 'course-dl' } });
    const settings = request.payload[CLAIM.deepLinkingSettings] as { deep_link_return_url: string; data: string };
    assert.equal(request.payload[CLAIM.messageType], MESSAGE.deepLinking);
    const respond = async (claims: Record<string, unknown>, aud = platform.issuer) => {
      const jwt = await new SignJWT({
        nonce: crypto.randomUUID(),
        [CLAIM.messageType]: MESSAGE.deepLinkingResponse,
        [CLAIM.version]: '1.3.0',
        [CLAIM.deploymentId]: 'dep-1',
        [CLAIM.dlData]: settings.data,
        [CLAIM.dlContentItems]: [{ type: 'ltiResourceLink', title: 'Exam A', url: `${TOOL}/launch`, lineItem: { label: 'Exam A', scoreMaximum: 100, resourceId: 'res-a', tag: 'exam' } }],
        ...claims,
      })
        .setProtectedHeader({ alg: 'RS256', kid: tool.kid })
        .setIssuer('tool-1')
        .setAudience(aud)
        .setIssuedAt()
        .setExpirationTime('5m')
        .sign(tool.privateKey);
      return fetch(settings.deep_link_return_url, { method: 'POST', body: new URLSearchParams({ JWT: jwt }) });
    };
    assert.equal((await respond({}, 'someone-else')).status, 400);
    assert.equal((await respond({ [CLAIM.dlData]: 'forged' })).status, 400);
    assert.equal((await respond({ [CLAIM.deploymentId]: 'dep-9' })).status, 400);
    assert.equal((await respond({ [CLAIM.messageType]: MESSAGE.resourceLink })).status, 400);
    assert.equal((await respond({})).status, 200);
    const records = platform.deepLinkReturns();
    assert.deepEqual(records.map((r) => r.accepted), [false, false, false, false, true]);
    const link = records[4]?.links[0];
    assert.equal(link?.contextId, 'course-dl');
    const lineItem = platform.lineItems('course-dl')[0];
    assert.equal(lineItem?.id, link?.lineItemId);
    assert.equal(lineItem?.resourceId, 'res-a');
    assert.equal(lineItem?.resourceLinkId, link?.resourceLinkId);
  });

  test('dynamic registration: configuration, one-time token, tool configuration checked, client made', async () => {
    const launch = new URL(platform.registrationLaunchUrl('http://127.0.0.1:9/lti/register'));
    const configUrl = launch.searchParams.get('openid_configuration') ?? '';
    const registrationToken = launch.searchParams.get('registration_token') ?? '';
    const config = (await (await fetch(configUrl)).json()) as Record<string, unknown>;
    assert.equal(config.issuer, platform.issuer);
    assert.equal(config.registration_endpoint, platform.registrationEndpoint);
    const lti = config['https://purl.imsglobal.org/spec/lti-platform-configuration'] as { product_family_code: string; messages_supported: unknown[] };
    assert.equal(lti.product_family_code, 'test-platform');
    const body = {
      application_type: 'web',
      response_types: ['id_token'],
      grant_types: ['implicit', 'client_credentials'],
      initiate_login_uri: 'http://127.0.0.1:9/lti/login',
      redirect_uris: ['http://127.0.0.1:9/lti/launch'],
      client_name: 'Exams',
      jwks_uri: tool.jwksUrl,
      token_endpoint_auth_method: 'private_key_jwt',
      scope: `${SCOPE.score} ${SCOPE.lineItem}`,
      'https://purl.imsglobal.org/spec/lti-tool-configuration': {
        domain: '127.0.0.1:9',
        target_link_uri: 'http://127.0.0.1:9/lti/launch',
        claims: ['iss', 'sub'],
        messages: [{ type: 'LtiResourceLinkRequest' }, { type: 'LtiDeepLinkingRequest' }],
      },
    };
    const register = (payload: unknown, bearer = registrationToken) =>
      fetch(config.registration_endpoint as string, { method: 'POST', headers: { Authorization: `Bearer ${bearer}`, 'Content-Type': 'application/json' }, body: JSON.stringify(payload) });
    assert.equal((await register(body, 'wrong')).status, 401);
    assert.equal((await register({ ...body, grant_types: ['implicit'] })).status, 400);
    const ok = await register(body);
    assert.equal(ok.status, 200);
    const answer = (await ok.json()) as { client_id: string; 'https://purl.imsglobal.org/spec/lti-tool-configuration': { deployment_id: string } };
    const client = platform.client(answer.client_id);
    assert.deepEqual(client.deploymentIds, [answer['https://purl.imsglobal.org/spec/lti-tool-configuration'].deployment_id]);
    assert.deepEqual(client.allowedScopes, [SCOPE.score, SCOPE.lineItem]);
    assert.equal(client.toolJwksUrl, tool.jwksUrl);
    assert.equal((await register(body)).status, 401, 'the registration token is single-use');
    assert.deepEqual(platform.registrations().map((r) => r.accepted), [false, false, true, false]);
  });
});
