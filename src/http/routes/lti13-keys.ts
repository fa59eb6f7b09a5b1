import type { FastifyInstance } from 'fastify';
import { readJwks } from '../../commands/read-jwks.js';

/**
 * Public, unauthenticated: GET /lti/jwks, the tool's public keys, with which platforms check
 * our client assertions and deep linking responses. Platforms may cache it for a few minutes;
 * a rotation publishes the new key long before the old one leaves (see rotate-tool-keys).
 */
export async function lti13KeyRoutes(app: FastifyInstance): Promise<void> {
  app.get('/lti/jwks', { schema: { querystring: { type: 'object', additionalProperties: true } } }, async (_request, reply) => {
    const { store, now } = app.services;
    const jwks = await readJwks(store.db, now());
    return reply.type('application/json; charset=utf-8').header('Cache-Control', 'public, max-age=300').send(JSON.stringify(jwks));
  });
}
