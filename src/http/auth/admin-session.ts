/**
 * Admin authentication for the admin pages. Admins use this site directly (never inside an
 * LMS frame), so a first-party cookie is right here, unlike the bearer tokens of LTI sessions.
 *
 * Every state-changing admin request passes two checks: an Origin header, when the browser
 * sends one, must be ours; and the form's `csrf` field must be the HMAC of the session token,
 * which a page on another site cannot read.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { type AdminIdentity, resolveAdminSession } from '../../commands/resolve-admin-session.js';
import { ADMIN_SESSION_TTL_MS } from '../../domain/admin-session-token.js';
import { AppError } from '../../lib/errors.js';
import { deriveKey } from '../../lib/keys.js';
import { publicOrigin } from '../public-url.js';

export const ADMIN_COOKIE = 'lti_exam_admin';

export interface AdminContext extends AdminIdentity {
  /** The value every POST form of this session must carry in its `csrf` field. */
  csrf: string;
  /** The raw session token from the cookie (for logout). */
  token: string;
}

const contexts = new WeakMap<FastifyRequest, AdminContext>();

export function setAdminCookie(request: FastifyRequest, reply: FastifyReply, token: string): void {
  reply.setCookie(ADMIN_COOKIE, token, {
    httpOnly: true,
    sameSite: 'strict',
    path: '/',
    secure: request.protocol === 'https',
    maxAge: ADMIN_SESSION_TTL_MS / 1000,
  });
}

export function clearAdminCookie(request: FastifyRequest, reply: FastifyReply): void {
  reply.clearCookie(ADMIN_COOKIE, { httpOnly: true, sameSite: 'strict', path: '/', secure: request.protocol === 'https' });
}

export function csrfTokenFor(secretKey: string, sessionToken: string): string {
  return createHmac('sha256', deriveKey(secretKey, 'admin-csrf')).update(sessionToken, 'utf8').digest('base64url');
}

function sameString(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Only paths on this site: "/x" but not "//evil.example" or "/\evil.example" (browsers read both as hosts). */
export function safeNextPath(next: unknown): string {
  if (typeof next !== 'string' || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return '/admin';
  if (/[\u0000-\u001f\u007f]/.test(next) || next.length > 2000) return '/admin';
  return next;
}

/** Refuses a request that a browser says came from another site. No Origin (older browsers, curl) is allowed through. */
export function assertSameOrigin(request: FastifyRequest): void {
  const origin = request.headers.origin;
  if (origin !== undefined && origin !== publicOrigin(request, request.server.services.config)) {
    throw new AppError('forbidden', 'This form was sent from another site, so it was refused. Open the admin pages directly and try again.');
  }
}

function isSafeMethod(method: string): boolean {
  return method === 'GET' || method === 'HEAD';
}

function csrfField(body: unknown): string | null {
  if (typeof body !== 'object' || body === null) return null;
  const value = (body as Record<string, unknown>).csrf;
  return typeof value === 'string' ? value : null;
}

/**
 * Hook for every admin route but the login page. Runs at preValidation: the form body is
 * parsed (for the CSRF field) but not yet validated, so a signed-out visitor is sent to the
 * login page instead of being told which fields their request lacked.
 */
export async function requireAdmin(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> {
  const { store, config, now } = request.server.services;
  const token = request.cookies[ADMIN_COOKIE];
  const admin = await resolveAdminSession(store.db, token, now());
  if (!admin || !token) {
    if (isSafeMethod(request.method)) {
      // Returning the reply ends the request here: the route handler does not run.
      return reply.header('Cache-Control', 'no-store').redirect(`/admin/login?next=${encodeURIComponent(safeNextPath(request.url))}`, 303);
    }
    throw new AppError('unauthenticated', 'Your admin session has ended. Sign in again at /admin/login.');
  }
  const csrf = csrfTokenFor(config.secretKey, token);
  if (!isSafeMethod(request.method)) {
    assertSameOrigin(request);
    const sent = csrfField(request.body);
    if (sent === null || !sameString(sent, csrf)) {
      throw new AppError('forbidden', 'This form has expired or did not come from this site, so nothing was changed. Go back, reload the page and try again.');
    }
  }
  contexts.set(request, { ...admin, csrf, token });
  return undefined;
}

/** The signed-in admin of a request that passed requireAdmin. */
export function adminOf(request: FastifyRequest): AdminContext {
  const context = contexts.get(request);
  if (!context) throw new Error('adminOf called on a route without requireAdmin');
  return context;
}
