import type { FastifyInstance } from 'fastify';
import { adminLogin } from '../../commands/admin-login.js';
import { adminLogout } from '../../commands/admin-logout.js';
import { resolveAdminSession } from '../../commands/resolve-admin-session.js';
import { isAppError } from '../../lib/errors.js';
import { ADMIN_COOKIE, adminOf, assertSameOrigin, clearAdminCookie, requireAdmin, safeNextPath, setAdminCookie } from '../auth/admin-session.js';
import { adminLoginPage } from '../views/admin-login-page.js';

interface LoginQuery {
  next?: string;
}

interface LoginBody {
  username: string;
  password: string;
  next?: string;
}

const loginQuerySchema = {
  type: 'object',
  properties: { next: { type: 'string', maxLength: 2000 } },
} as const;

const loginBodySchema = {
  type: 'object',
  required: ['username', 'password'],
  properties: {
    username: { type: 'string', maxLength: 100 },
    password: { type: 'string', maxLength: 1024 },
    next: { type: 'string', maxLength: 2000 },
  },
} as const;

const logoutBodySchema = {
  type: 'object',
  properties: { csrf: { type: 'string', maxLength: 200 } },
} as const;

/** GET/POST /admin/login and POST /admin/logout. */
export async function adminAuthRoutes(app: FastifyInstance): Promise<void> {
  app.get<{ Querystring: LoginQuery }>('/admin/login', { schema: { querystring: loginQuerySchema } }, async (request, reply) => {
    const { store, config, now } = app.services;
    const next = safeNextPath(request.query.next);
    // Already signed in: nothing to do here.
    if (await resolveAdminSession(store.db, request.cookies[ADMIN_COOKIE], now())) return reply.redirect(next, 303);
    return reply.type('text/html; charset=utf-8').send(adminLoginPage({ instanceName: config.instanceName, next }));
  });

  app.post<{ Body: LoginBody }>('/admin/login', { schema: { body: loginBodySchema } }, async (request, reply) => {
    const { store, config, now } = app.services;
    // No session exists yet to tie a CSRF token to; Origin (with SameSite=Strict on the cookie) is the check.
    assertSameOrigin(request);
    const next = safeNextPath(request.body.next);
    try {
      const login = await adminLogin(store.db, { username: request.body.username, password: request.body.password }, now());
      request.log.info({ adminId: login.adminId }, 'admin signed in');
      setAdminCookie(request, reply, login.token);
      return reply.redirect(next, 303);
    } catch (error) {
      if (!(isAppError(error) && error.code === 'unauthenticated')) throw error;
      request.log.info('admin sign-in refused');
      return reply
        .status(401)
        .type('text/html; charset=utf-8')
        .send(adminLoginPage({ instanceName: config.instanceName, next, username: request.body.username, error: error.publicMessage }));
    }
  });

  app.post('/admin/logout', { preValidation: requireAdmin, schema: { body: logoutBodySchema } }, async (request, reply) => {
    await adminLogout(app.services.store.db, adminOf(request).token);
    clearAdminCookie(request, reply);
    return reply.redirect('/admin/login', 303);
  });
}
