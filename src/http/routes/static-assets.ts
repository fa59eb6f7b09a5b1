import type { FastifyInstance } from 'fastify';
import { quietLogLevel } from '../quiet-log-level.js';
import { SITE_CSS } from '../views/site-css.js';

export async function staticAssetRoutes(app: FastifyInstance): Promise<void> {
  app.get('/static/site.css', { logLevel: quietLogLevel(app.services.config) }, async (_request, reply) =>
    reply.type('text/css; charset=utf-8').header('Cache-Control', 'public, max-age=3600').send(SITE_CSS),
  );
}
