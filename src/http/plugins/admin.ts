import cookie from '@fastify/cookie';
import type { FastifyInstance } from 'fastify';
import { adminAuthRoutes } from '../routes/admin-auth.js';
import { adminConsumerRoutes } from '../routes/admin-consumers.js';
import { adminLmsSetupRoutes } from '../routes/admin-lms-setup.js';
import { adminPlatformRoutes } from '../routes/admin-platforms.js';

// Admin pages carry CSRF tokens and, once, a consumer secret: never cached, never framed.
const ADMIN_CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'none'",
  "style-src 'self'",
  "img-src 'self'",
  "form-action 'self'",
  "base-uri 'none'",
  "object-src 'none'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * The admin area. Cookies are parsed only here (an encapsulated context): the LTI and API
 * routes run inside LMS frames and must never start relying on cookies.
 */
export async function adminPlugin(app: FastifyInstance): Promise<void> {
  await app.register(cookie);
  app.addHook('onSend', async (_request, reply) => {
    reply.header('Cache-Control', 'no-store');
    reply.header('Content-Security-Policy', ADMIN_CONTENT_SECURITY_POLICY);
    // Under the site-wide "no-referrer", browsers send "Origin: null" even on same-origin form
    // POSTs, which the Origin check must refuse. "same-origin" still sends nothing to other sites.
    reply.header('Referrer-Policy', 'same-origin');
  });
  await app.register(adminAuthRoutes);
  await app.register(adminConsumerRoutes);
  await app.register(adminLmsSetupRoutes);
  await app.register(adminPlatformRoutes);
}
