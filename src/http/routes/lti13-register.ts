import type { FastifyInstance } from 'fastify';
import { registerPlatform } from '../../commands/register-platform.js';
import { AppError } from '../../lib/errors.js';
import { publicOrigin } from '../public-url.js';
import { LTI_CLOSE_SCRIPT, REGISTER_PAGE_CSP, registrationDonePage } from '../views/lti13-register-page.js';

interface RegisterQuery {
  token?: string;
  openid_configuration?: string;
  registration_token?: string;
}

const registerQuerySchema = {
  type: 'object',
  properties: {
    token: { type: 'string', maxLength: 200 },
    openid_configuration: { type: 'string', maxLength: 2000 },
    registration_token: { type: 'string', maxLength: 4000 },
  },
  additionalProperties: true,
} as const;

/**
 * GET /lti/register: LTI Dynamic Registration, opened by the platform in a window or frame
 * with `openid_configuration` and `registration_token`. Needs our admin's one-time `token`
 * unless OPEN_REGISTRATION=1. Refusals are HTML pages (the error handler) saying why.
 */
export async function lti13RegisterRoutes(app: FastifyInstance): Promise<void> {
  app.get<{ Querystring: RegisterQuery }>('/lti/register', { schema: { querystring: registerQuerySchema } }, async (request, reply) => {
    const { config, store, secretBox, now } = app.services;
    reply.header('Content-Security-Policy', REGISTER_PAGE_CSP).header('Cache-Control', 'no-store');
    const openIdConfigurationUrl = request.query.openid_configuration ?? '';
    if (openIdConfigurationUrl === '') {
      throw new AppError('bad_request', 'This address is opened by your platform during LTI dynamic registration: it needs the openid_configuration parameter. Paste the registration URL into your platform instead of opening it here.');
    }
    const registered = await registerPlatform(
      store.db,
      secretBox,
      {
        openIdConfigurationUrl,
        platformRegistrationToken: request.query.registration_token ?? null,
        toolToken: request.query.token ?? null,
        openRegistration: config.openRegistration,
        toolUrl: publicOrigin(request, config),
        toolName: config.instanceName,
      },
      now(),
    );
    request.log.info({ platformId: registered.platformId, issuer: registered.issuer, created: registered.created }, 'platform registered');
    return reply.type('text/html; charset=utf-8').send(registrationDonePage({ instanceName: config.instanceName, ...registered }));
  });

  app.get('/static/lti-close.js', { logLevel: 'warn' }, async (_request, reply) =>
    reply.type('text/javascript; charset=utf-8').header('Cache-Control', 'public, max-age=3600').send(LTI_CLOSE_SCRIPT),
  );
}
