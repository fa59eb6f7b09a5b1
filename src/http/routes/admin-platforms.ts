import type { FastifyInstance } from 'fastify';
import { addDeployment } from '../../commands/add-deployment.js';
import { addPlatform } from '../../commands/add-platform.js';
import { deletePlatform } from '../../commands/delete-platform.js';
import { getPlatform } from '../../commands/get-platform.js';
import { issueRegistrationToken } from '../../commands/issue-registration-token.js';
import { listPlatforms } from '../../commands/list-platforms.js';
import { setPlatformEnabled } from '../../commands/set-platform-enabled.js';
import { isAppError } from '../../lib/errors.js';
import { adminOf, requireAdmin } from '../auth/admin-session.js';
import { httpStatusFor } from '../error-map.js';
import { publicOrigin } from '../public-url.js';
import { deletePlatformPage } from '../views/admin-platform-delete-page.js';
import { newPlatformPage, platformCreatedPage, type PlatformFormValues } from '../views/admin-platform-form-page.js';
import { adminPlatformsPage, type PlatformNotice } from '../views/admin-platforms-page.js';
import { registrationUrlPage } from '../views/admin-registration-url-page.js';

interface HomeQuery {
  done?: PlatformNotice;
}

interface IdParams {
  id: number;
}

interface CsrfBody {
  csrf: string;
}

interface NewPlatformBody extends CsrfBody {
  name?: string;
  issuer: string;
  clientId: string;
  authLoginUrl: string;
  tokenUrl: string;
  jwksUrl: string;
  tokenAudience?: string;
  deployment?: string;
}

interface DeploymentBody extends CsrfBody {
  deployment: string;
}

const homeQuerySchema = {
  type: 'object',
  properties: { done: { type: 'string', enum: ['disabled', 'enabled', 'deleted', 'deployment-added'] } },
} as const;

const idParamsSchema = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER } },
} as const;

const csrfBodySchema = {
  type: 'object',
  required: ['csrf'],
  properties: { csrf: { type: 'string', maxLength: 200 } },
} as const;

// Lengths and formats are checked by addPlatform, so a bad value gets the form back with its message.
const loose = { type: 'string', maxLength: 10_000 } as const;

const newPlatformBodySchema = {
  type: 'object',
  required: ['csrf', 'issuer', 'clientId', 'authLoginUrl', 'tokenUrl', 'jwksUrl'],
  properties: {
    csrf: { type: 'string', maxLength: 200 },
    name: loose,
    issuer: loose,
    clientId: loose,
    authLoginUrl: loose,
    tokenUrl: loose,
    jwksUrl: loose,
    tokenAudience: loose,
    deployment: loose,
  },
} as const;

const deploymentBodySchema = {
  type: 'object',
  required: ['csrf', 'deployment'],
  properties: { csrf: { type: 'string', maxLength: 200 }, deployment: loose },
} as const;

const HTML = 'text/html; charset=utf-8';

/**
 * The LTI 1.3 platform admin pages: GET /admin/platforms (the list), GET /admin/platforms/new and
 * POST /admin/platforms (register), POST …/:id/disable|enable|deployments, GET/POST …/:id/delete,
 * and POST /admin/platforms/registration-url (a one-time dynamic registration URL, shown once).
 */
export async function adminPlatformRoutes(app: FastifyInstance): Promise<void> {
  app.addHook('preValidation', requireAdmin);

  app.get<{ Querystring: HomeQuery }>('/admin/platforms', { schema: { querystring: homeQuerySchema } }, async (request, reply) => {
    const { store, config } = app.services;
    const platforms = await listPlatforms(store.db);
    return reply.type(HTML).send(adminPlatformsPage({ instanceName: config.instanceName, admin: adminOf(request), platforms, notice: request.query.done }));
  });

  app.get('/admin/platforms/new', { schema: { querystring: { type: 'object' } } }, async (request, reply) => {
    const { config } = app.services;
    return reply.type(HTML).send(newPlatformPage({ instanceName: config.instanceName, admin: adminOf(request), origin: publicOrigin(request, config) }));
  });

  app.post<{ Body: NewPlatformBody }>('/admin/platforms', { schema: { body: newPlatformBodySchema } }, async (request, reply) => {
    const { store, config, secretBox, now } = app.services;
    const admin = adminOf(request);
    const body = request.body;
    const values: PlatformFormValues = {
      name: body.name ?? '',
      issuer: body.issuer,
      clientId: body.clientId,
      authLoginUrl: body.authLoginUrl,
      tokenUrl: body.tokenUrl,
      jwksUrl: body.jwksUrl,
      tokenAudience: body.tokenAudience ?? '',
      deployment: body.deployment ?? '',
    };
    const origin = publicOrigin(request, config);
    try {
      const platform = await addPlatform(
        store.db,
        secretBox,
        {
          issuer: body.issuer,
          clientId: body.clientId,
          authLoginUrl: body.authLoginUrl,
          tokenUrl: body.tokenUrl,
          jwksUrl: body.jwksUrl,
          tokenAudience: body.tokenAudience ?? null,
          name: body.name ?? null,
          deployments: body.deployment ? [body.deployment] : [],
        },
        now(),
      );
      request.log.info({ adminId: admin.adminId, platformId: platform.id, issuer: platform.issuer }, 'platform registered');
      return reply.status(201).type(HTML).send(platformCreatedPage({ instanceName: config.instanceName, admin, platform, origin }));
    } catch (error) {
      if (!(isAppError(error) && (error.code === 'bad_request' || error.code === 'conflict'))) throw error;
      return reply
        .status(httpStatusFor(error.code))
        .type(HTML)
        .send(newPlatformPage({ instanceName: config.instanceName, admin, origin, values, error: error.publicMessage, problems: error.problems ?? [] }));
    }
  });

  app.post<{ Body: CsrfBody }>('/admin/platforms/registration-url', { schema: { body: csrfBodySchema } }, async (request, reply) => {
    const { store, config, now } = app.services;
    const admin = adminOf(request);
    const issued = await issueRegistrationToken(store.db, now());
    request.log.info({ adminId: admin.adminId }, 'registration URL issued');
    const url = `${publicOrigin(request, config)}/lti/register?token=${encodeURIComponent(issued.token)}`;
    return reply.status(201).type(HTML).send(registrationUrlPage({ instanceName: config.instanceName, admin, url, expiresAt: issued.expiresAt }));
  });

  for (const action of ['disable', 'enable'] as const) {
    app.post<{ Params: IdParams; Body: CsrfBody }>(
      `/admin/platforms/:id/${action}`,
      { schema: { params: idParamsSchema, body: csrfBodySchema } },
      async (request, reply) => {
        const { store, now } = app.services;
        await setPlatformEnabled(store.db, request.params.id, action === 'enable', now());
        request.log.info({ adminId: adminOf(request).adminId, platformId: request.params.id }, `platform ${action}d`);
        return reply.redirect(`/admin/platforms?done=${action}d`, 303);
      },
    );
  }

  app.post<{ Params: IdParams; Body: DeploymentBody }>(
    '/admin/platforms/:id/deployments',
    { schema: { params: idParamsSchema, body: deploymentBodySchema } },
    async (request, reply) => {
      const { store, config, now } = app.services;
      const admin = adminOf(request);
      try {
        await addDeployment(store.db, request.params.id, request.body.deployment, now());
      } catch (error) {
        if (!(isAppError(error) && (error.code === 'bad_request' || error.code === 'conflict'))) throw error;
        const platforms = await listPlatforms(store.db);
        const problem = { platformId: request.params.id, deployment: request.body.deployment, message: error.publicMessage };
        return reply.status(httpStatusFor(error.code)).type(HTML).send(adminPlatformsPage({ instanceName: config.instanceName, admin, platforms, problem }));
      }
      request.log.info({ adminId: admin.adminId, platformId: request.params.id }, 'platform deployment added');
      return reply.redirect('/admin/platforms?done=deployment-added', 303);
    },
  );

  app.get<{ Params: IdParams }>('/admin/platforms/:id/delete', { schema: { params: idParamsSchema } }, async (request, reply) => {
    const { store, config } = app.services;
    const platform = await getPlatform(store.db, request.params.id);
    return reply.type(HTML).send(deletePlatformPage({ instanceName: config.instanceName, admin: adminOf(request), platform }));
  });

  app.post<{ Params: IdParams; Body: CsrfBody }>(
    '/admin/platforms/:id/delete',
    { schema: { params: idParamsSchema, body: csrfBodySchema } },
    async (request, reply) => {
      await deletePlatform(app.services.store.db, request.params.id);
      request.log.info({ adminId: adminOf(request).adminId, platformId: request.params.id }, 'platform deleted');
      return reply.redirect('/admin/platforms?done=deleted', 303);
    },
  );
}
