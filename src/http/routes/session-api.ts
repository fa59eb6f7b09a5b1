import type { FastifyInstance } from 'fastify';
import { readSession } from '../../commands/read-session.js';
import { requireLtiSession } from '../auth/lti-session.js';

const sessionSchema = {
  type: 'object',
  required: ['user', 'role', 'resourceLink', 'context', 'consumer', 'expiresAt'],
  properties: {
    user: {
      type: 'object',
      properties: {
        name: { type: ['string', 'null'] },
        email: { type: ['string', 'null'] },
        username: { type: ['string', 'null'] },
        ltiUserId: { type: 'string' },
      },
    },
    role: { type: 'string', enum: ['instructor', 'student'] },
    resourceLink: { type: 'object', properties: { id: { type: 'integer' }, title: { type: ['string', 'null'] } } },
    context: {
      anyOf: [{ type: 'null' }, { type: 'object', properties: { title: { type: ['string', 'null'] }, label: { type: ['string', 'null'] } } }],
    },
    consumer: { type: 'object', properties: { key: { type: 'string' } } },
    expiresAt: { type: 'string' },
    message: { type: 'string', enum: ['resource-link', 'deep-linking', 'submission-review'] },
  },
} as const;

export async function sessionApiRoutes(app: FastifyInstance): Promise<void> {
  app.get('/api/session', { schema: { response: { 200: sessionSchema } } }, async (request, reply) => {
    const session = requireLtiSession(request);
    reply.header('Cache-Control', 'no-store');
    return readSession(app.services.store.db, session);
  });
}
