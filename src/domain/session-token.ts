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
  /**
   * What the launch asked for (LTI 1.3 message types). Absent in older tokens and in LTI 1.1
   * sessions, which are always 'resource-link' (see sessionMessage).
   */
  message?: SessionMessage;
  /** Submission review: the LTI user id (sub) whose attempt to show. */
  forUser?: string;
  /** Deep linking: where the answer goes and the request's opaque data (echoed unchanged). */
  deepLinking?: { returnUrl: string; data: string | null };
  /** Expiry, in epoch seconds. */
  exp: number;
}

export type SessionMessage = 'resource-link' | 'deep-linking' | 'submission-review';

const SESSION_MESSAGES: readonly SessionMessage[] = ['resource-link', 'deep-linking', 'submission-review'];

/** The session's message kind, 'resource-link' when the token predates the field. */
export function sessionMessage(session: LtiSession): SessionMessage {
  return session.message ?? 'resource-link';
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
    (p.role === 'instructor' || p.role === 'student') &&
    (p.message === undefined || SESSION_MESSAGES.includes(p.message)) &&
    (p.forUser === undefined || typeof p.forUser === 'string') &&
    (p.deepLinking === undefined ||
      (typeof p.deepLinking === 'object' && p.deepLinking !== null && typeof p.deepLinking.returnUrl === 'string' && (p.deepLinking.data === null || typeof p.deepLinking.data === 'string')));
  return valid ? { ok: true, session: p } : { ok: false, reason: 'malformed' };
}
