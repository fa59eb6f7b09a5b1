/**
 * Compact JWS (RS256) for LTI 1.3, on node:crypto alone: signing the tool's messages and
 * client assertions, and verifying platform id_tokens. Deliberately small: only RS256 exists
 * here, so a token cannot choose a weaker algorithm (`none`) or turn our public key into an
 * HMAC secret (HS256 key confusion).
 */
import { type KeyObject, createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify } from 'node:crypto';
import { Lti13Error } from './lti13-error.js';

export interface JwtHeader {
  alg: string;
  kid?: string;
  typ?: string;
  [name: string]: unknown;
}

export type JwtPayload = Record<string, unknown>;

export interface DecodedJwt {
  header: JwtHeader;
  payload: JwtPayload;
  /** base64url(header) "." base64url(payload): the bytes the signature covers. */
  signingInput: string;
  signature: Buffer;
}

/** A public key as a JWKS publishes it. Only RSA keys are usable; others are refused. */
export interface PublicJwk {
  kty: string;
  kid?: string;
  alg?: string;
  use?: string;
  n?: string;
  e?: string;
  [name: string]: unknown;
}

export interface RsaPublicJwk extends PublicJwk {
  kty: 'RSA';
  kid: string;
  alg: 'RS256';
  use: 'sig';
  n: string;
  e: string;
}

export interface SigningKey {
  kid: string;
  privateKeyPem: string;
}

export interface RsaKeyPair {
  kid: string;
  privateKeyPem: string;
  publicJwk: RsaPublicJwk;
}

/** Far above any real id_token (a few KB), low enough that a hostile one costs nothing to refuse. */
const MAX_TOKEN_LENGTH = 64 * 1024;
const MIN_MODULUS_BITS = 2048;
/** How long signJwt's tokens live when the caller gives `now` but no `exp`. */
const DEFAULT_LIFETIME_SECONDS = 300;
const BASE64URL = /^[A-Za-z0-9_-]*$/;

function b64urlJson(value: unknown): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}

// Parsing a PEM costs far more than a signature; the tool signs with one or two keys.
const privateKeys = new Map<string, KeyObject>();
function privateKeyFor(pem: string): KeyObject {
  let key = privateKeys.get(pem);
  if (!key) {
    key = createPrivateKey(pem);
    if (privateKeys.size >= 16) privateKeys.clear();
    privateKeys.set(pem, key);
  }
  return key;
}

/**
 * Signs `payload` with RS256 (header alg, kid, typ JWT). With `now` (epoch ms), a missing
 * `iat` becomes now and a missing `exp` five minutes later; values in `payload` always win.
 */
export function signJwt(payload: JwtPayload, key: SigningKey, now?: number): string {
  const claims: JwtPayload = { ...payload };
  if (now !== undefined) {
    const iat = typeof claims.iat === 'number' ? claims.iat : Math.floor(now / 1000);
    claims.iat = iat;
    if (claims.exp === undefined) claims.exp = iat + DEFAULT_LIFETIME_SECONDS;
  }
  const signingInput = `${b64urlJson({ alg: 'RS256', typ: 'JWT', kid: key.kid })}.${b64urlJson(claims)}`;
  const signature = sign('sha256', Buffer.from(signingInput, 'ascii'), privateKeyFor(key.privateKeyPem));
  return `${signingInput}.${signature.toString('base64url')}`;
}

function parseJsonObject(part: string, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  } catch {
    throw new Lti13Error('jwt_format', `The id_token ${what} is not base64url-encoded JSON.`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Lti13Error('jwt_format', `The id_token ${what} is not a JSON object.`);
  }
  return value as Record<string, unknown>;
}

/** Splits a compact JWS without trusting anything in it yet. Throws `jwt_format`. */
export function decodeJwt(token: string): DecodedJwt {
  if (typeof token !== 'string' || token === '') throw new Lti13Error('jwt_format', 'The id_token is empty.');
  if (token.length > MAX_TOKEN_LENGTH) throw new Lti13Error('jwt_format', 'The id_token is too long to be a JWT.');
  const parts = token.split('.');
  if (parts.length !== 3) {
    throw new Lti13Error('jwt_format', `The id_token is not a JWT: it has ${parts.length} part(s) where a signed JWT has 3.`);
  }
  const [h, p, s] = parts as [string, string, string];
  if (h === '' || p === '' || !BASE64URL.test(h) || !BASE64URL.test(p) || !BASE64URL.test(s)) {
    throw new Lti13Error('jwt_format', 'The id_token is not a JWT: its parts are not base64url.');
  }
  const header = parseJsonObject(h, 'header');
  if (typeof header.alg !== 'string') throw new Lti13Error('jwt_format', 'The id_token header has no "alg".');
  if (header.kid !== undefined && typeof header.kid !== 'string') {
    throw new Lti13Error('jwt_format', 'The id_token header "kid" is not a string.');
  }
  const payload = parseJsonObject(p, 'payload');
  return { header: header as JwtHeader, payload, signingInput: `${h}.${p}`, signature: Buffer.from(s, 'base64url') };
}

// A JWKS cache hands out the same JWK objects again and again: keep their parsed keys.
const publicKeys = new WeakMap<PublicJwk, KeyObject>();
function publicKeyFor(jwk: PublicJwk): KeyObject {
  let key = publicKeys.get(jwk);
  if (!key) {
    try {
      key = createPublicKey({ key: { kty: jwk.kty, n: jwk.n, e: jwk.e }, format: 'jwk' });
    } catch (cause) {
      throw new Lti13Error('jwt_key', `The platform key "${jwk.kid ?? ''}" is not a usable RSA public key.`, { cause });
    }
    const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
    if (bits < MIN_MODULUS_BITS) {
      throw new Lti13Error('jwt_key', `The platform key "${jwk.kid ?? ''}" has ${bits} bits; at least ${MIN_MODULUS_BITS} are required.`);
    }
    publicKeys.set(jwk, key);
  }
  return key;
}

/**
 * Checks an RS256 signature with `publicJwk`. Refuses (throws) any other algorithm before
 * looking at the key — `none`, HS256 and the rest — a token without `kid`, a key that is not
 * an RSA signing key for RS256 or names another kid, and a signature that does not verify.
 */
export function verifyJwtSignature(decoded: DecodedJwt, publicJwk: PublicJwk): void {
  const { alg, kid } = decoded.header;
  if (alg !== 'RS256') {
    throw new Lti13Error('jwt_alg', `The id_token is signed with "${alg}"; only RS256 is accepted.`);
  }
  if (typeof kid !== 'string' || kid === '') {
    throw new Lti13Error('jwt_no_kid', 'The id_token header has no "kid", so the platform key cannot be chosen.');
  }
  if (publicJwk.kty !== 'RSA') throw new Lti13Error('jwt_key', `The platform key "${kid}" is not an RSA key.`);
  if (publicJwk.alg !== undefined && publicJwk.alg !== 'RS256') {
    throw new Lti13Error('jwt_key', `The platform key "${kid}" is for ${String(publicJwk.alg)}, not RS256.`);
  }
  if (publicJwk.use !== undefined && publicJwk.use !== 'sig') {
    throw new Lti13Error('jwt_key', `The platform key "${kid}" is not a signing key.`);
  }
  if (publicJwk.kid !== undefined && publicJwk.kid !== kid) {
    throw new Lti13Error('jwt_key', `The id_token names key "${kid}" but was checked against "${publicJwk.kid}".`);
  }
  const ok = verify('sha256', Buffer.from(decoded.signingInput, 'ascii'), publicKeyFor(publicJwk), decoded.signature);
  if (!ok) throw new Lti13Error('jwt_signature', `The id_token signature does not verify with the platform key "${kid}".`);
}

/** A new 2048-bit RSA key pair; its kid is the RFC 7638 thumbprint of the public key. */
export function generateRsaKeyPair(): RsaKeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: MIN_MODULUS_BITS });
  const jwk = publicKey.export({ format: 'jwk' });
  if (typeof jwk.n !== 'string' || typeof jwk.e !== 'string') throw new Error('RSA key export gave no modulus/exponent');
  const kid = createHash('sha256').update(JSON.stringify({ e: jwk.e, kty: 'RSA', n: jwk.n })).digest('base64url');
  return {
    kid,
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicJwk: { kty: 'RSA', kid, alg: 'RS256', use: 'sig', n: jwk.n, e: jwk.e },
  };
}
