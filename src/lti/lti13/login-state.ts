/**
 * The OIDC `state` of an LTI 1.3 login, kept by nobody: an HMAC-signed, expiring token that
 * names the platform the login was for, the nonce sent to it and the target link. Any node
 * can check it, so logins need no shared session store. It is not secret (it travels through
 * the platform); what binds it to the browser is that the browser also keeps it (cookie or
 * platform storage) and the launch compares both.
 */
import { randomBytes } from 'node:crypto';
import { signToken, verifyToken } from '../../lib/signed-token.js';
import { Lti13Error } from './lti13-error.js';

export interface LoginStateInput {
  platformId: number;
  nonce: string;
  targetLinkUri: string;
}

export interface LoginState extends LoginStateInput {
  /** Epoch ms after which the state is refused. */
  expiresAt: number;
}

interface StatePayload {
  /** Marks the token's purpose, so no other token signed with the same key passes for a state. */
  typ: 'lti13-state';
  pid: number;
  non: string;
  tlu: string;
  /** Random: two logins never share a state. */
  rnd: string;
  exp: number;
}

/** A fresh random value for the OIDC nonce (or anything else that must be unguessable). */
export function newLoginNonce(): string {
  return randomBytes(24).toString('base64url');
}

/** `now` is epoch ms; the state expires `ttlSeconds` later. */
export function issueLoginState(key: Buffer, input: LoginStateInput, now: number, ttlSeconds: number): string {
  const payload: StatePayload = {
    typ: 'lti13-state',
    pid: input.platformId,
    non: input.nonce,
    tlu: input.targetLinkUri,
    rnd: randomBytes(12).toString('base64url'),
    exp: Math.floor(now / 1000) + ttlSeconds,
  };
  return signToken(key, payload);
}

/** Throws `state_missing`, `state_invalid` (not ours, altered) or `state_expired`. */
export function readLoginState(key: Buffer, state: string | null | undefined, now: number): LoginState {
  if (typeof state !== 'string' || state === '') {
    throw new Lti13Error('state_missing', 'The launch has no state: it did not come from a login started by this tool.');
  }
  const check = verifyToken<StatePayload>(key, state, now / 1000);
  if (!check.ok) {
    if (check.reason === 'expired') {
      throw new Lti13Error('state_expired', 'The login state has expired: the launch took too long after the login. Please launch again.');
    }
    throw new Lti13Error('state_invalid', 'The launch state was not issued by this tool or has been altered.');
  }
  const p = check.payload;
  if (p.typ !== 'lti13-state' || !Number.isInteger(p.pid) || typeof p.non !== 'string' || typeof p.tlu !== 'string') {
    throw new Lti13Error('state_invalid', 'The launch state was not issued by this tool for an LTI 1.3 login.');
  }
  return { platformId: p.pid, nonce: p.non, targetLinkUri: p.tlu, expiresAt: p.exp * 1000 };
}
