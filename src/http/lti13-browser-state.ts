/**
 * How an LTI 1.3 login's state is kept by the browser between /lti/login and /lti/launch,
 * without third-party cookies where possible:
 *
 * - platform storage (postMessage `lti.put_data` / `lti.get_data`) under `storageKey(state)`;
 * - a `Partitioned; Secure; SameSite=None; HttpOnly` cookie named `secureCookieName(state)`
 *   (one name per login, so two launches in two tabs do not overwrite each other), plus a
 *   `SameSite=Lax` cookie for plain-http development origins, where Secure cookies are refused.
 *
 * The `state` sent to the platform is an unsigned prefix carrying what a login needs that the
 * launch does not bring back (login_hint, lti_message_hint, deployment id), so "Open in a new
 * window" can start the login again at top level, then `~` and the signed login state. The
 * prefix is as untrusted as any login request; the browser keeps the whole state (cookie,
 * platform storage), and the launch must post back exactly what the browser kept.
 */
import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';

/** How long a login may take to come back as a launch (the state's and the cookie's lifetime). */
export const LOGIN_STATE_TTL_SECONDS = 600;

const COOKIE_PATH = '/lti/launch';
const SEPARATOR = '~';

export interface RestartHints {
  loginHint: string;
  messageHint: string | null;
  deploymentId: string | null;
}

/** Above this the hints are left out: the whole state must still fit in a cookie. */
const MAX_STATE_LENGTH = 3000;

/**
 * The state sent to the platform: hints first, so that any change to its end breaks the
 * signature; the browser keeps the whole of it and the launch compares the whole.
 */
export function composeState(signed: string, hints: RestartHints): string {
  const suffix = Buffer.from(JSON.stringify([hints.loginHint, hints.messageHint, hints.deploymentId]), 'utf8').toString('base64url');
  const state = `${suffix}${SEPARATOR}${signed}`;
  return state.length > MAX_STATE_LENGTH ? signed : state;
}

export function splitState(posted: string): { signed: string; hints: RestartHints | null } {
  const at = posted.lastIndexOf(SEPARATOR);
  if (at < 0) return { signed: posted, hints: null };
  const signed = posted.slice(at + 1);
  try {
    const parsed: unknown = JSON.parse(Buffer.from(posted.slice(0, at), 'base64url').toString('utf8'));
    if (!Array.isArray(parsed) || typeof parsed[0] !== 'string') return { signed, hints: null };
    const text = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
    return { signed, hints: { loginHint: parsed[0], messageHint: text(parsed[1]), deploymentId: text(parsed[2]) } };
  } catch {
    return { signed, hints: null };
  }
}

/** A short, cookie-name-safe handle of one login's state. */
function handle(signed: string): string {
  return createHash('sha256').update(signed).digest('base64url').slice(0, 22);
}

export function storageKey(signed: string): string {
  return `lti13_state_${handle(signed)}`;
}

export function secureCookieName(signed: string): string {
  return `lti13s_${handle(signed)}`;
}

export function laxCookieName(signed: string): string {
  return `lti13l_${handle(signed)}`;
}

/** Set-Cookie values keeping the state for the launch; the Lax one only on plain http. */
export function stateCookies(signed: string, whole: string, plainHttp: boolean): string[] {
  const common = `Path=${COOKIE_PATH}; Max-Age=${LOGIN_STATE_TTL_SECONDS}; HttpOnly`;
  const cookies = [`${secureCookieName(signed)}=${whole}; ${common}; Secure; SameSite=None; Partitioned`];
  if (plainHttp) cookies.push(`${laxCookieName(signed)}=${whole}; ${common}; SameSite=Lax`);
  return cookies;
}

/** Set-Cookie values removing this login's cookies once the launch is accepted. */
export function clearStateCookies(signed: string, plainHttp: boolean): string[] {
  const cookies = [`${secureCookieName(signed)}=; Path=${COOKIE_PATH}; Max-Age=0; HttpOnly; Secure; SameSite=None; Partitioned`];
  if (plainHttp) cookies.push(`${laxCookieName(signed)}=; Path=${COOKIE_PATH}; Max-Age=0; HttpOnly; SameSite=Lax`);
  return cookies;
}

function cookieValue(header: string | undefined, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return null;
}

/** The state this browser kept in a cookie for this login, or null. */
export function stateFromCookies(request: FastifyRequest, signed: string): string | null {
  const header = request.headers.cookie;
  return cookieValue(header, secureCookieName(signed)) ?? cookieValue(header, laxCookieName(signed));
}

/**
 * Headers of the pages of the login and launch exchange: framed by any LMS, scripts only from
 * this site, forms only to this site and the platform's authorization endpoint (Chrome checks
 * form-action on the redirect that follows a form post). "same-origin" referrers make the
 * browser send our real Origin on the page's own form posts, which the continuation checks.
 */
export function exchangePageHeaders(reply: FastifyReply, platformOrigin: string | null): FastifyReply {
  const formAction = platformOrigin ? `'self' ${platformOrigin}` : "'self'";
  return reply
    .header('Cache-Control', 'no-store')
    .header('Referrer-Policy', 'same-origin')
    .header(
      'Content-Security-Policy',
      ["default-src 'none'", "script-src 'self'", "style-src 'self'", "img-src 'self'", `form-action ${formAction}`, 'frame-ancestors *', "base-uri 'none'"].join('; '),
    )
    .type('text/html; charset=utf-8');
}

/** True when a POST was made by a page of this site (Fetch metadata, else the Origin header). */
export function isSameOriginPost(request: FastifyRequest, ownOrigin: string): boolean {
  const site = request.headers['sec-fetch-site'];
  if (site !== undefined) return site === 'same-origin';
  return request.headers.origin === ownOrigin;
}
