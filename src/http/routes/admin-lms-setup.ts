import type { FastifyInstance } from 'fastify';
import { adminOf, requireAdmin } from '../auth/admin-session.js';
import { publicOrigin } from '../public-url.js';
import { lmsSetupPage } from '../views/admin-lms-setup-page.js';

/** GET /admin/lms-setup: the URLs and per-LMS steps for connecting an LMS. */
export async function adminLmsSetupRoutes(app: FastifyInstance): Promise<void> {
  app.get('/admin/lms-setup', { preValidation: requireAdmin, schema: { querystring: { type: 'object' } } }, async (request, reply) => {
    const { config } = app.services;
    return reply
      .type('text/html; charset=utf-8')
      .send(lmsSetupPage({ instanceName: config.instanceName, admin: adminOf(request), origin: publicOrigin(request, config) }));
  });
}
