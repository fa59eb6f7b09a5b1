import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { type JsonWebKey, createPublicKey, verify } from 'node:crypto';
import { LTI13_SERVICES } from '../../src/lti/constants.js';
import { generateRsaKeyPair } from '../../src/lti/lti13/jwt.js';
import { ServiceTokenError } from '../../src/lti/lti13/service-errors.js';
import {
  type ServicePlatform,
  ServiceTokenClient,
  normalizeScopes,
  requestServiceToken,
  withServiceToken,
} from '../../src/lti/lti13/service-token.js';
import { type RecordedRequest, type Reply, withRecordingServer } from '../helpers/recording-server.js';

const keys = generateRsaKeyPair();
const key = { kid: keys.kid, privateKeyPem: keys.privateKeyPem };
const NOW = 1_800_000_000_000;
const SCORE = LTI13_SERVICES.scopes.score;
const LINEITEM = LTI13_SERVICES.scopes.lineItem;

function platformAt(baseUrl: string, audience: string | null = null): ServicePlatform {
  return { id: 7, client_id: 'tool-client-1', token_url: `${baseUrl}/oauth/token`, token_audience: audience };
}

/** Checks the assertion's signature with node:crypto and the published public JWK, then returns its parts. */
function verifiedAssertion(token: string): { header: Record<string, unknown>; payload: Record<string, unknown> } {
  const [h, p, s] = token.split('.');
  assert.ok(h && p && s !== undefined, 'a compact JWS has three parts');
  const publicKey = createPublicKey({ key: keys.publicJwk as JsonWebKey, format: 'jwk' });
  assert.equal(verify('sha256', Buffer.from(`${h}.${p}`), publicKey, Buffer.from(s, 'base64url')), true, 'signature verifies');
  return {
    header: JSON.parse(Buffer.from(h, 'base64url').toString('utf8')) as Record<string, unknown>,
    payload: JSON.parse(Buffer.from(p, 'base64url').toString('utf8')) as Record<string, unknown>,
  };
}

function tokenReply(request: RecordedRequest, n: number, extra: Record<string, unknown> = {}): Reply {
  const form = new URLSearchParams(request.body);
  return { body: { access_token: `token-${n}`, token_type: 'Bearer', expires_in: 3600, scope: form.get('scope'), ...extra } };
}

describe('service token request', () => {
  it('posts client_credentials with a signed assertion whose aud is the token URL', async () => {
    await withRecordingServer(
      (req) => tokenReply(req, 1),
      async (server) => {
        const platform = platformAt(server.url);
        const token = await requestServiceToken(platform, [SCORE, LINEITEM, SCORE], key, NOW, { timeoutMs: 5000 });
        assert.equal(token.accessToken, 'token-1');
        assert.deepEqual(token.scopes, [LINEITEM, SCORE]);
        const [req] = server.requests;
        assert.ok(req);
        assert.equal(req.method, 'POST');
        assert.equal(req.url, '/oauth/token');
        assert.equal(req.headers['content-type'], 'application/x-www-form-urlencoded');
        const form = new URLSearchParams(req.body);
        assert.equal(form.get('grant_type'), 'client_credentials');
        assert.equal(form.get('client_assertion_type'), 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer');
        assert.equal(form.get('scope'), `${LINEITEM} ${SCORE}`);
        const { header, payload } = verifiedAssertion(form.get('client_assertion') ?? '');
        assert.deepEqual(header, { alg: 'RS256', typ: 'JWT', kid: keys.kid });
        assert.equal(payload.iss, 'tool-client-1');
        assert.equal(payload.sub, 'tool-client-1');
        assert.equal(payload.aud, platform.token_url);
        assert.equal(payload.iat, NOW / 1000);
        assert.equal(payload.exp, NOW / 1000 + 300);
        assert.equal(typeof payload.jti, 'string');
        assert.ok((payload.jti as string).length >= 16);
      },
    );
  });

  it('uses the platform token audience when it has one, and a fresh jti each time', async () => {
    await withRecordingServer(
      (req) => tokenReply(req, 1),
      async (server) => {
        const platform = platformAt(server.url, 'https://api.brightspace.com/auth/token');
        await requestServiceToken(platform, [SCORE], key, NOW, { timeoutMs: 5000 });
        await requestServiceToken(platform, [SCORE], key, NOW, { timeoutMs: 5000 });
        const payloads = server.requests.map((r) => verifiedAssertion(new URLSearchParams(r.body).get('client_assertion') ?? '').payload);
        assert.equal(payloads[0]?.aud, 'https://api.brightspace.com/auth/token');
        assert.notEqual(payloads[0]?.jti, payloads[1]?.jti);
      },
    );
  });

  it('reports the scopes the platform granted, or those asked for when it names none', async () => {
    let scope: string | undefined = SCORE;
    await withRecordingServer(
      () => ({ body: { access_token: 't', token_type: 'bearer', expires_in: 60, ...(scope === undefined ? {} : { scope }) } }),
      async (server) => {
        const platform = platformAt(server.url);
        const narrowed = await requestServiceToken(platform, [SCORE, LINEITEM], key, NOW, { timeoutMs: 5000 });
        assert.deepEqual(narrowed.scopes, [SCORE]);
        scope = undefined;
        const unnamed = await requestServiceToken(platform, [SCORE, LINEITEM], key, NOW, { timeoutMs: 5000 });
        assert.deepEqual(unnamed.scopes, [LINEITEM, SCORE]);
      },
    );
  });

  it('classes refusals: invalid_client is final and says where to look, 503 is retryable', async () => {
    let status = 401;
    await withRecordingServer(
      () => ({ status, body: { error: 'invalid_client', error_description: 'unknown key' }, headers: { 'Retry-After': '30' } }),
      async (server) => {
        const platform = platformAt(server.url);
        const refused = await requestServiceToken(platform, [SCORE], key, NOW, { timeoutMs: 5000 }).then(
          () => assert.fail('expected a refusal'),
          (error: unknown) => error,
        );
        assert.ok(refused instanceof ServiceTokenError);
        assert.equal(refused.retryable, false);
        assert.equal(refused.status, 401);
        assert.equal(refused.oauthError, 'invalid_client');
        assert.match(refused.description, /unknown key.*JWKS URL/);
        status = 503;
        const down = await requestServiceToken(platform, [SCORE], key, NOW, { timeoutMs: 5000 }).catch((e: unknown) => e);
        assert.ok(down instanceof ServiceTokenError);
        assert.equal(down.retryable, true);
        assert.equal(down.retryAfterSeconds, 30);
      },
    );
  });

  it('refuses an answer without access_token and a non-Bearer token', async () => {
    let reply: Reply = { body: { token_type: 'Bearer', expires_in: 60 } };
    await withRecordingServer(
      () => reply,
      async (server) => {
        const platform = platformAt(server.url);
        const missing = await requestServiceToken(platform, [SCORE], key, NOW, { timeoutMs: 5000 }).catch((e: unknown) => e);
        assert.ok(missing instanceof ServiceTokenError);
        assert.equal(missing.kind, 'malformed');
        reply = { body: { access_token: 'x', token_type: 'mac' } };
        const mac = await requestServiceToken(platform, [SCORE], key, NOW, { timeoutMs: 5000 }).catch((e: unknown) => e);
        assert.ok(mac instanceof ServiceTokenError);
        assert.match(mac.description, /Bearer/);
      },
    );
  });
});

describe('ServiceTokenClient', () => {
  it('caches per platform and scope set until expires_in minus the margin', async () => {
    let n = 0;
    await withRecordingServer(
      (req) => tokenReply(req, ++n, { expires_in: 600 }),
      async (server) => {
        const client = new ServiceTokenClient({ timeoutMs: 5000, marginMs: 60_000 });
        const platform = platformAt(server.url);
        const a = await client.token(platform, [SCORE, LINEITEM], key, NOW);
        const b = await client.token(platform, [LINEITEM, SCORE, SCORE], key, NOW + 1000);
        assert.equal(a.accessToken, 'token-1');
        assert.equal(b.accessToken, 'token-1', 'the same scope set in another order shares the token');
        assert.equal(server.requests.length, 1);

        const other = await client.token(platform, [SCORE], key, NOW + 1000);
        assert.equal(other.accessToken, 'token-2', 'another scope set asks again');
        const otherPlatform = await client.token({ ...platform, id: 8 }, [SCORE], key, NOW + 1000);
        assert.equal(otherPlatform.accessToken, 'token-3', 'another platform asks again');

        const stillFresh = await client.token(platform, [SCORE, LINEITEM], key, NOW + 539_999);
        assert.equal(stillFresh.accessToken, 'token-1');
        const renewed = await client.token(platform, [SCORE, LINEITEM], key, NOW + 540_000);
        assert.equal(renewed.accessToken, 'token-4', 'renewed once within the margin of expiry');
        assert.equal(server.requests.length, 4);
      },
    );
  });

  it('shares one request among concurrent callers and asks again after invalidate', async () => {
    let n = 0;
    await withRecordingServer(
      (req) => tokenReply(req, ++n),
      async (server) => {
        const client = new ServiceTokenClient({ timeoutMs: 5000 });
        const platform = platformAt(server.url);
        const tokens = await Promise.all([1, 2, 3].map(() => client.token(platform, [SCORE], key, NOW)));
        assert.deepEqual(
          tokens.map((t) => t.accessToken),
          ['token-1', 'token-1', 'token-1'],
        );
        assert.equal(server.requests.length, 1);
        client.invalidate(platform, [SCORE]);
        assert.equal((await client.token(platform, [SCORE], key, NOW)).accessToken, 'token-2');
      },
    );
  });

  it('does not cache a failure', async () => {
    let fail = true;
    await withRecordingServer(
      (req) => (fail ? { status: 500, body: 'boom' } : tokenReply(req, 1)),
      async (server) => {
        const client = new ServiceTokenClient({ timeoutMs: 5000 });
        const platform = platformAt(server.url);
        await assert.rejects(client.token(platform, [SCORE], key, NOW), (e: unknown) => e instanceof ServiceTokenError && e.retryable);
        fail = false;
        assert.equal((await client.token(platform, [SCORE], key, NOW)).accessToken, 'token-1');
      },
    );
  });

  it('withServiceToken retries once with a new token when the service answers 401', async () => {
    let n = 0;
    await withRecordingServer(
      (req) => tokenReply(req, ++n),
      async (server) => {
        const client = new ServiceTokenClient({ timeoutMs: 5000 });
        const platform = platformAt(server.url);
        const seen: string[] = [];
        const result = await withServiceToken(client, platform, [SCORE], key, NOW, async (token) => {
          seen.push(token.accessToken);
          if (seen.length === 1) throw new ServiceTokenError({ kind: 'http', status: 401, description: 'expired', retryable: false });
          return 'ok';
        });
        assert.equal(result, 'ok');
        assert.deepEqual(seen, ['token-1', 'token-2']);
      },
    );
  });

  it('normalizes scope sets', () => {
    assert.deepEqual(normalizeScopes([' b ', 'a', 'b', '']), ['a', 'b']);
  });
});
