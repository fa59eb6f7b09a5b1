import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, createPublicKey, generateKeyPairSync, sign } from 'node:crypto';
import { SignJWT, calculateJwkThumbprint, importJWK, importPKCS8, jwtVerify } from 'jose';
import { type PublicJwk, decodeJwt, generateRsaKeyPair, signJwt, verifyJwtSignature } from '../../src/lti/lti13/jwt.js';
import { Lti13Error, type Lti13ErrorCode } from '../../src/lti/lti13/lti13-error.js';

const NOW = Date.UTC(2026, 0, 15, 10, 0, 0);
const key = generateRsaKeyPair();

function b64(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** A token whose header we choose, signed RS256 with `pem` (or not at all). */
function rs256(header: Record<string, unknown>, payload: Record<string, unknown>, pem = key.privateKeyPem): string {
  const input = `${b64(header)}.${b64(payload)}`;
  return `${input}.${sign('sha256', Buffer.from(input), pem).toString('base64url')}`;
}

function refusedWith(code: Lti13ErrorCode, run: () => unknown): void {
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof Lti13Error, `expected Lti13Error, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    return true;
  });
}

function check(token: string, jwk: PublicJwk = key.publicJwk): void {
  verifyJwtSignature(decodeJwt(token), jwk);
}

describe('LTI 1.3 JWT (RS256 on node:crypto)', () => {
  it('signs and verifies: header alg RS256, kid and typ JWT; iat/exp filled from now', () => {
    const token = signJwt({ sub: 'u1', aud: 'c' }, key, NOW);
    const decoded = decodeJwt(token);
    assert.deepEqual(decoded.header, { alg: 'RS256', typ: 'JWT', kid: key.kid });
    assert.equal(decoded.payload.iat, NOW / 1000);
    assert.equal(decoded.payload.exp, NOW / 1000 + 300);
    assert.equal(decoded.payload.sub, 'u1');
    verifyJwtSignature(decoded, key.publicJwk);
  });

  it('keeps the iat and exp the payload gives, and adds none without now', () => {
    assert.deepEqual(decodeJwt(signJwt({ iat: 5, exp: 9 }, key, NOW)).payload, { iat: 5, exp: 9 });
    assert.deepEqual(decodeJwt(signJwt({ a: 1 }, key)).payload, { a: 1 });
  });

  it('names the key by its RFC 7638 thumbprint, as jose computes it', async () => {
    assert.equal(key.kid, await calculateJwkThumbprint({ kty: 'RSA', n: key.publicJwk.n, e: key.publicJwk.e }, 'sha256'));
    assert.equal(key.publicJwk.alg, 'RS256');
    assert.equal(key.publicJwk.use, 'sig');
  });

  it('agrees with jose both ways', async () => {
    const ours = signJwt({ sub: 'x' }, key, NOW);
    const verified = await jwtVerify(ours, await importJWK(key.publicJwk, 'RS256'), { currentDate: new Date(NOW) });
    assert.equal(verified.payload.sub, 'x');

    const theirs = await new SignJWT({ sub: 'y' })
      .setProtectedHeader({ alg: 'RS256', kid: key.kid })
      .sign(await importPKCS8(key.privateKeyPem, 'RS256'));
    const decoded = decodeJwt(theirs);
    verifyJwtSignature(decoded, key.publicJwk);
    assert.equal(decoded.payload.sub, 'y');
  });

  it('refuses a tampered payload', () => {
    const [h, , s] = signJwt({ sub: 'student' }, key, NOW).split('.');
    refusedWith('jwt_signature', () => check(`${h}.${b64({ sub: 'admin', iat: NOW / 1000 })}.${s}`));
  });

  it('refuses a tampered signature', () => {
    const token = signJwt({ sub: 'student' }, key, NOW);
    const [h, p, s] = token.split('.') as [string, string, string];
    const sig = Buffer.from(s, 'base64url');
    sig[10] = (sig[10] ?? 0) ^ 1;
    refusedWith('jwt_signature', () => check(`${h}.${p}.${sig.toString('base64url')}`));
    refusedWith('jwt_signature', () => check(`${h}.${p}.`));
  });

  it('refuses a token signed by another key that claims our kid', () => {
    const other = generateRsaKeyPair();
    refusedWith('jwt_signature', () => check(rs256({ alg: 'RS256', kid: key.kid }, { sub: 'x' }, other.privateKeyPem)));
  });

  it('refuses alg none, with or without a signature', () => {
    const input = `${b64({ alg: 'none', kid: key.kid })}.${b64({ sub: 'x' })}`;
    refusedWith('jwt_alg', () => check(`${input}.`));
    refusedWith('jwt_alg', () => check(`${input}.${Buffer.from('junk').toString('base64url')}`));
    refusedWith('jwt_alg', () => check(`${b64({ alg: 'None', kid: key.kid })}.${b64({ sub: 'x' })}.`));
  });

  it('refuses HS256 made with the public key as the HMAC secret (key confusion)', () => {
    const input = `${b64({ alg: 'HS256', kid: key.kid, typ: 'JWT' })}.${b64({ sub: 'x' })}`;
    const publicPem = createPublicKey({ key: { kty: 'RSA', n: key.publicJwk.n, e: key.publicJwk.e }, format: 'jwk' })
      .export({ type: 'spki', format: 'pem' })
      .toString();
    const secrets = [publicPem, JSON.stringify(key.publicJwk), key.publicJwk.n];
    for (const secret of secrets) {
      const mac = createHmac('sha256', secret).update(input).digest('base64url');
      refusedWith('jwt_alg', () => check(`${input}.${mac}`));
    }
  });

  it('refuses a token without kid, even when its signature is good', () => {
    refusedWith('jwt_no_kid', () => check(rs256({ alg: 'RS256', typ: 'JWT' }, { sub: 'x' })));
    refusedWith('jwt_no_kid', () => check(rs256({ alg: 'RS256', kid: '' }, { sub: 'x' })));
  });

  it('refuses keys that cannot be RS256 signing keys for this kid', () => {
    const token = signJwt({ sub: 'x' }, key, NOW);
    refusedWith('jwt_key', () => check(token, { ...key.publicJwk, kid: 'another' }));
    refusedWith('jwt_key', () => check(token, { ...key.publicJwk, alg: 'RS512' }));
    refusedWith('jwt_key', () => check(token, { ...key.publicJwk, use: 'enc' }));
    refusedWith('jwt_key', () => check(token, { kty: 'EC', kid: key.kid, crv: 'P-256', x: 'a', y: 'b' }));
    refusedWith('jwt_key', () => check(token, { kty: 'RSA', kid: key.kid, n: 'AQAB', e: 'AQAB' }));
  });

  it('refuses RSA keys shorter than 2048 bits', () => {
    const small = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const jwk = small.publicKey.export({ format: 'jwk' });
    const pem = small.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const token = rs256({ alg: 'RS256', kid: 'small' }, { sub: 'x' }, pem);
    refusedWith('jwt_key', () => check(token, { kty: 'RSA', kid: 'small', n: String(jwk.n), e: String(jwk.e) }));
  });

  const notJwts: Array<[string, string]> = [
    ['empty', ''],
    ['one part', 'abc'],
    ['two parts', 'abc.def'],
    ['four parts', 'a.b.c.d'],
    ['five parts (a JWE)', 'a.b.c.d.e'],
    ['not base64url', `${b64({ alg: 'RS256' })}.pay+load.sig`],
    ['header not JSON', `${Buffer.from('{alg').toString('base64url')}.${b64({})}.sig`],
    ['payload an array', `${b64({ alg: 'RS256' })}.${b64([1, 2])}.sig`],
    ['payload a string', `${b64({ alg: 'RS256' })}.${b64('hello')}.sig`],
    ['header without alg', `${b64({ kid: 'k' })}.${b64({})}.sig`],
    ['kid not a string', `${b64({ alg: 'RS256', kid: 7 })}.${b64({})}.sig`],
    ['empty payload', `${b64({ alg: 'RS256' })}..sig`],
    ['far too long', `${b64({ alg: 'RS256' })}.${'A'.repeat(70_000)}.sig`],
  ];
  for (const [name, token] of notJwts) {
    it(`decodeJwt refuses ${name}`, () => refusedWith('jwt_format', () => decodeJwt(token)));
  }
});
