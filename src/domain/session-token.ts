import { signToken, verifyToken } from '../lib/signed-token.js';
import type { LaunchRole } from '../store/tables/launches.js';

/**
 * The session a launch opens. It travels as a bearer token held by the page (never a
 * cookie: LMSs frame us and browsers block third-party cookies), and it names exactly one
 * user, one resource link, one role and the launch that created it, so two launches in
 * two tabs are two independent sessions.
 */
export interface LtiSession {
  v: 1;
  consumerId: number;
  userId: number;
  resourceLinkId: number;
  role: LaunchRole;
  launchId: number;
  /** Expiry, in epoch seconds. */
  exp: number;
}

export function issueSessionToken(key: Buffer, session: Omit<LtiSession, 'v' | 'exp'>, nowMs: number, ttlSeconds: number): { token: string; expiresAt: number } {
  const exp = Math.floor(nowMs / 1000) + ttlSeconds;
  return { token: signToken(key, { v: 1, ...session, exp }), expiresAt: exp * 1000 };
}

export type SessionCheck = { ok: true; session: LtiSession } | { ok: false; reason: 'missing' | 'malformed' | 'bad_signature' | 'expired' };

export function readSessionToken(key: Buffer, token: string | null, nowMs: number): SessionCheck {
  if (!token) return { ok: false, reason: 'missing' };
  const result = verifyToken<LtiSession>(key, token, Math.floor(nowMs / 1000));
  if (!result.ok) return result;
  const p = result.payload;
  const valid =
    p.v === 1 &&
    Number.isInteger(p.consumerId) &&
    Number.isInteger(p.userId) &&
    Number.isInteger(p.resourceLinkId) &&
    Number.isInteger(p.launchId) &&
    (p.role === 'instructor' || p.role === 'student');
  return valid ? { ok: true, session: p } : { ok: false, reason: 'malformed' };
}
