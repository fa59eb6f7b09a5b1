import type { FastifyInstance } from 'fastify';
import { ping } from '../../store/database.js';
import { quietLogLevel } from '../quiet-log-level.js';

/** Load balancers call this: 200 when the database answers, 503 when it does not. */
export async function healthRoutes(app: FastifyInstance): Promise<void> {
  app.get(
    '/healthz',
    {
      logLevel: quietLogLevel(app.services.config),
      schema: {
        response: {
          200: { type: 'object', properties: { status: { type: 'string' }, database: { type: 'string' } } },
          503: { type: 'object', properties: { status: { type: 'string' }, database: { type: 'string' }, error: { type: 'string' } } },
        },
      },
    },
    async (request, reply) => {
      const { store } = app.services;
      try {
        await ping(store.db);
        return { status: 'ok', database: store.dialect };
      } catch (error) {
        request.log.error({ err: error }, 'health check: database unreachable');
        return reply.status(503).send({ status: 'unavailable', database: store.dialect, error: 'The database is not reachable.' });
      }
    },
  );
}
