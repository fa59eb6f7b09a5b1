import type { FastifyInstance } from 'fastify';
import { createConsumer } from '../../commands/create-consumer.js';
import { deleteConsumer } from '../../commands/delete-consumer.js';
import { getConsumer } from '../../commands/get-consumer.js';
import { listConsumers } from '../../commands/list-consumers.js';
import { setConsumerEnabled } from '../../commands/set-consumer-enabled.js';
import { isAppError } from '../../lib/errors.js';
import { adminOf, requireAdmin } from '../auth/admin-session.js';
import { httpStatusFor } from '../error-map.js';
import { publicOrigin } from '../public-url.js';
import { adminConsumersPage, type ConsumerNotice } from '../views/admin-consumers-page.js';
import { consumerCreatedPage, newConsumerPage } from '../views/admin-consumer-form-page.js';
import { deleteConsumerPage } from '../views/admin-consumer-delete-page.js';

interface HomeQuery {
  done?: ConsumerNotice;
}

interface KeyParams {
  key: string;
}

interface CsrfBody {
  csrf: string;
}

interface NewConsumerBody extends CsrfBody {
  key: string;
  url?: string;
}

const homeQuerySchema = {
  type: 'object',
  properties: { done: { type: 'string', enum: ['disabled', 'enabled', 'deleted'] } },
} as const;

const keyParamsSchema = {
  type: 'object',
  required: ['key'],
  properties: { key: { type: 'string', minLength: 1, maxLength: 200 } },
} as const;

const csrfBodySchema = {
  type: 'object',
  required: ['csrf'],
  properties: { csrf: { type: 'string', maxLength: 200 } },
} as const;

const newConsumerBodySchema = {
  type: 'object',
  required: ['csrf', 'key'],
  properties: {
    csrf: { type: 'string', maxLength: 200 },
    // Lengths are checked by createConsumer, so an over-long key gets the form back with its message.
    key: { type: 'string', maxLength: 10_000 },
    url: { type: 'string', maxLength: 10_000 },
  },
} as const;

const HTML = 'text/html; charset=utf-8';

/**
 * The consumer admin pages: GET /admin (the list), GET /admin/consumers/new and
 * POST /admin/consumers (add), POST …/:key/disable|enable, GET/POST …/:key/delete.
 */
export async function adminConsumerRoutes(app: FastifyInstance): Promise<void> {
  app.addHook('preValidation', requireAdmin);

  app.get<{ Querystring: HomeQuery }>('/admin', { schema: { querystring: homeQuerySchema } }, async (request, reply) => {
    const { store, config } = app.services;
    const consumers = await listConsumers(store.db);
    return reply.type(HTML).send(adminConsumersPage({ instanceName: config.instanceName, admin: adminOf(request), consumers, notice: request.query.done }));
  });

  app.get('/admin/consumers/new', { schema: { querystring: { type: 'object' } } }, async (request, reply) =>
    reply.type(HTML).send(newConsumerPage({ instanceName: app.services.config.instanceName, admin: adminOf(request) })),
  );

  app.post<{ Body: NewConsumerBody }>('/admin/consumers', { schema: { body: newConsumerBodySchema } }, async (request, reply) => {
    const { store, config, secretBox, now } = app.services;
    const admin = adminOf(request);
    const values = { key: request.body.key, url: request.body.url ?? '' };
    try {
      const created = await createConsumer(store.db, secretBox, { key: values.key, url: values.url }, now());
      request.log.info({ adminId: admin.adminId, consumerKey: created.key }, 'consumer created');
      return reply.status(201).type(HTML).send(consumerCreatedPage({ instanceName: config.instanceName, admin, created, origin: publicOrigin(request, config) }));
    } catch (error) {
      if (!(isAppError(error) && (error.code === 'bad_request' || error.code === 'conflict'))) throw error;
      return reply
        .status(httpStatusFor(error.code))
        .type(HTML)
        .send(newConsumerPage({ instanceName: config.instanceName, admin, values, error: error.publicMessage }));
    }
  });

  for (const action of ['disable', 'enable'] as const) {
    app.post<{ Params: KeyParams; Body: CsrfBody }>(
      `/admin/consumers/:key/${action}`,
      { schema: { params: keyParamsSchema, body: csrfBodySchema } },
      async (request, reply) => {
        const { store, now } = app.services;
        await setConsumerEnabled(store.db, request.params.key, action === 'enable', now());
        request.log.info({ adminId: adminOf(request).adminId, consumerKey: request.params.key }, `consumer ${action}d`);
        return reply.redirect(`/admin?done=${action}d`, 303);
      },
    );
  }

  app.get<{ Params: KeyParams }>('/admin/consumers/:key/delete', { schema: { params: keyParamsSchema } }, async (request, reply) => {
    const { store, config } = app.services;
    const consumer = await getConsumer(store.db, request.params.key);
    return reply.type(HTML).send(deleteConsumerPage({ instanceName: config.instanceName, admin: adminOf(request), consumer }));
  });

  app.post<{ Params: KeyParams; Body: CsrfBody }>(
    '/admin/consumers/:key/delete',
    { schema: { params: keyParamsSchema, body: csrfBodySchema } },
    async (request, reply) => {
      await deleteConsumer(app.services.store.db, request.params.key);
      request.log.info({ adminId: adminOf(request).adminId, consumerKey: request.params.key }, 'consumer deleted');
      return reply.redirect('/admin?done=deleted', 303);
    },
  );
}
