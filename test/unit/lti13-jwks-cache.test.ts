import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { JwksCache } from '../../src/lti/lti13/jwks-cache.js';
import { type PublicJwk, generateRsaKeyPair } from '../../src/lti/lti13/jwt.js';
import { Lti13Error, type Lti13ErrorCode } from '../../src/lti/lti13/lti13-error.js';

const URL_A = 'https://lms.example.edu/jwks';
const URL_B = 'https://other.example.edu/jwks';
const NOW = Date.UTC(2026, 0, 15, 10, 0, 0);
const k1 = generateRsaKeyPair();
const k2 = generateRsaKeyPair();

type Answer = { status: number; body: string } | Error;

function fakeFetch(answer: () => Answer) {
  const calls: string[] = [];
  const impl: typeof fetch = async (url) => {
    calls.push(String(url));
    const a = answer();
    if (a instanceof Error) throw a;
    return new Response(a.body, { status: a.status, headers: { 'content-type': 'application/json' } });
  };
  return { calls, impl };
}

const keys = (...jwks: PublicJwk[]): Answer => ({ status: 200, body: JSON.stringify({ keys: jwks }) });

async function refusedWith(code: Lti13ErrorCode, promise: Promise<unknown>): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof Lti13Error, String(error));
    assert.equal(error.code, code, error.message);
    return true;
  });
}

describe('JWKS cache', () => {
  it('serves every key of a set from one fetch, per URL', async () => {
    const f = fakeFetch(() => keys(k1.publicJwk, k2.publicJwk));
    const cache = new JwksCache({ fetchImpl: f.impl, timeoutMs: 1000, minRefetchMs: 60_000 });
    assert.equal((await cache.key(URL_A, k1.kid, NOW)).n, k1.publicJwk.n);
    assert.equal((await cache.key(URL_A, k2.kid, NOW + 1)).n, k2.publicJwk.n);
    assert.equal((await cache.key(URL_A, k1.kid, NOW + 2)).kid, k1.kid);
    assert.deepEqual(f.calls, [URL_A]);
    await cache.key(URL_B, k1.kid, NOW);
    assert.deepEqual(f.calls, [URL_A, URL_B]);
  });

  it('makes concurrent first requests share one fetch', async () => {
    const f = fakeFetch(() => keys(k1.publicJwk));
    const cache = new JwksCache({ fetchImpl: f.impl, timeoutMs: 1000, minRefetchMs: 60_000 });
    await Promise.all([cache.key(URL_A, k1.kid, NOW), cache.key(URL_A, k1.kid, NOW), cache.key(URL_A, k1.kid, NOW)]);
    assert.equal(f.calls.length, 1);
  });

  it('ignores keys that cannot verify an id_token: no kid, not RSA, encryption keys', async () => {
    const f = fakeFetch(() =>
      keys(
        { ...k1.publicJwk, kid: undefined } as unknown as PublicJwk,
        { kty: 'EC', kid: 'ec', crv: 'P-256', x: 'a', y: 'b' },
        { ...k2.publicJwk, use: 'enc' },
      ),
    );
    const cache = new JwksCache({ fetchImpl: f.impl, timeoutMs: 1000, minRefetchMs: 60_000 });
    await refusedWith('jwt_unknown_kid', cache.key(URL_A, 'ec', NOW));
    await refusedWith('jwt_unknown_kid', cache.key(URL_A, k2.kid, NOW + 120_000));
  });

  it('refreshes keys older than maxAgeMs, and keeps the old ones when the refresh fails', async () => {
    let answer: Answer = keys(k1.publicJwk);
    const f = fakeFetch(() => answer);
    const cache = new JwksCache({ fetchImpl: f.impl, timeoutMs: 1000, minRefetchMs: 1000, maxAgeMs: 3_600_000 });
    await cache.key(URL_A, k1.kid, NOW);
    answer = { status: 503, body: 'down' };
    assert.equal((await cache.key(URL_A, k1.kid, NOW + 3_600_000)).kid, k1.kid);
    assert.equal(f.calls.length, 2);
    answer = keys(k2.publicJwk);
    await refusedWith('jwt_unknown_kid', cache.key(URL_A, k1.kid, NOW + 3_700_000));
    assert.equal(f.calls.length, 3);
  });

  const failures: Array<[string, Answer]> = [
    ['an HTTP error', { status: 500, body: 'oops' }],
    ['a body that is not JSON', { status: 200, body: '<html>login</html>' }],
    ['JSON without keys', { status: 200, body: '{"issuer":"x"}' }],
    ['a network failure', new TypeError('fetch failed')],
  ];
  for (const [name, answer] of failures) {
    it(`reports ${name} as jwks_fetch`, async () => {
      const cache = new JwksCache({ fetchImpl: fakeFetch(() => answer).impl, timeoutMs: 1000, minRefetchMs: 60_000 });
      await refusedWith('jwks_fetch', cache.key(URL_A, k1.kid, NOW));
    });
  }

  it('gives up on a JWKS URL that does not answer within timeoutMs', async () => {
    const hanging: typeof fetch = (_url, init) =>
      new Promise((_resolve, reject) => {
        init?.signal?.addEventListener('abort', () => reject(init.signal?.reason));
      });
    const cache = new JwksCache({ fetchImpl: hanging, timeoutMs: 20, minRefetchMs: 60_000 });
    // AbortSignal.timeout's timer does not keep a process alive (a server's sockets do): with
    // nothing else pending, the test runner would see an idle event loop and cancel the test.
    const keepAlive = setInterval(() => {}, 1000);
    try {
      await refusedWith('jwks_fetch', cache.key(URL_A, k1.kid, NOW));
    } finally {
      clearInterval(keepAlive);
    }
  });

  it('does not retry a failing URL within minRefetchMs, and recovers after it', async () => {
    let answer: Answer = { status: 500, body: '' };
    const f = fakeFetch(() => answer);
    const cache = new JwksCache({ fetchImpl: f.impl, timeoutMs: 1000, minRefetchMs: 60_000 });
    await refusedWith('jwks_fetch', cache.key(URL_A, k1.kid, NOW));
    await refusedWith('jwks_fetch', cache.key(URL_A, k1.kid, NOW + 1000));
    assert.equal(f.calls.length, 1);
    answer = keys(k1.publicJwk);
    assert.equal((await cache.key(URL_A, k1.kid, NOW + 61_000)).kid, k1.kid);
    assert.equal(f.calls.length, 2);
  });
});
