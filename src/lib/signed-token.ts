import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * A compact signed token: base64url(JSON payload) "." base64url(HMAC-SHA256).
 * Used for session tokens and grants, where we are both issuer and verifier, so a
 * symmetric MAC is enough and verifying costs one HMAC (cheap on every request).
 */
export type TokenCheck<T> = { ok: true; payload: T } | { ok: false; reason: 'malformed' | 'bad_signature' | 'expired' };

interface Expiring {
  exp: number;
}

export function signToken<T extends Expiring>(key: Buffer, payload: T): string {
  const body = Buffer.from(JSON.stringify(payload), 'utf8').toString('base64url');
  const mac = createHmac('sha256', key).update(body).digest('base64url');
  return `${body}.${mac}`;
}

export function verifyToken<T extends Expiring>(key: Buffer, token: string, nowSeconds: number): TokenCheck<T> {
  const dot = token.indexOf('.');
  if (dot <= 0 || dot !== token.lastIndexOf('.')) return { ok: false, reason: 'malformed' };
  const body = token.slice(0, dot);
  const given = Buffer.from(token.slice(dot + 1), 'base64url');
  const expected = createHmac('sha256', key).update(body).digest();
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return { ok: false, reason: 'bad_signature' };
  }
  let payload: unknown;
  try {
    payload = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  if (typeof payload !== 'object' || payload === null || typeof (payload as Expiring).exp !== 'number') {
    return { ok: false, reason: 'malformed' };
  }
  if ((payload as Expiring).exp <= nowSeconds) return { ok: false, reason: 'expired' };
  return { ok: true, payload: payload as T };
}
