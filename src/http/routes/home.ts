import type { FastifyInstance } from 'fastify';
import { publicOrigin } from '../public-url.js';
import { homePage } from '../views/home-page.js';

/** GET /: what this tool is, the URLs an LMS needs, and (when DEMO is on) the demo course. */
export async function homeRoutes(app: FastifyInstance): Promise<void> {
  app.get('/', async (request, reply) => {
    const { config } = app.services;
    return reply
      .type('text/html; charset=utf-8')
      .header('Cache-Control', 'no-cache')
      .send(homePage({ instanceName: config.instanceName, origin: publicOrigin(request, config), demo: config.demo }));
  });
}
