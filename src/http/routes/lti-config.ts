import type { FastifyInstance } from 'fastify';
import { cartridgeLinkXml } from '../../lti/lti11/cartridge-link.js';
import { publicOrigin } from '../public-url.js';
import { ICON_SVG } from '../views/icon-svg.js';

const DESCRIPTION = 'Online exams (SCORM, starting with Numbas) that open inside the course, for instructors and students.';

/**
 * Public, unauthenticated: GET /lti/config.xml (the LTI 1.1 configuration an LMS reads from
 * one URL) and GET /static/icon.svg (the icon it names).
 */
export async function ltiConfigRoutes(app: FastifyInstance): Promise<void> {
  app.get('/lti/config.xml', { schema: { querystring: { type: 'object', additionalProperties: true } } }, async (request, reply) => {
    const { config } = app.services;
    const xml = cartridgeLinkXml({
      title: config.instanceName,
      description: DESCRIPTION,
      origin: publicOrigin(request, config),
      vendorCode: 'lti-exam-provider',
      vendorName: 'lti-exam-provider',
    });
    // Built from the request's host when PUBLIC_URL is unset, so shared caches must not keep it.
    return reply.type('application/xml; charset=utf-8').header('Cache-Control', 'no-cache').send(xml);
  });

  app.get('/static/icon.svg', { logLevel: 'warn' }, async (_request, reply) =>
    reply.type('image/svg+xml').header('Cache-Control', 'public, max-age=86400').send(ICON_SVG),
  );
}
