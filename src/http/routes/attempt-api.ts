import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { IncomingBatch } from '../../commands/save-attempt-batches.js';
import { openAttempt, openTestRun, type PlayerMode } from '../../commands/open-attempt.js';
import { requireAttemptAccess } from '../../commands/resource-access.js';
import { startAttempt } from '../../commands/start-attempt.js';
import type { LtiSession } from '../../domain/session-token.js';
import { AppError } from '../../lib/errors.js';
import { bearerToken, requireLtiSession } from '../auth/lti-session.js';
import { type BatchBody, batchesBodySchema } from '../schemas/batch-schema.js';

const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'integer', minimum: 1 } } } as const;

function toIncoming(attemptId: number, body: BatchBody, session: LtiSession): IncomingBatch[] {
  return body.batches.map((b) => ({
    attemptId,
    sessionId: body.sessionId,
    seq: b.seq,
    elements: b.elements.map((e) => ({ k: e.k, v: e.v, t: e.t ?? null })),
    terminate: b.terminate === true,
    writerRole: session.role,
  }));
}

export async function attemptApiRoutes(app: FastifyInstance): Promise<void> {
  const { services } = app;
  const keys = () => ({ grantKey: services.grantKey, grantTtlSeconds: services.config.sessionTtlSeconds });

  // sendBeacon can only send text/plain (or a form) without a CORS preflight: its body is JSON.
  app.addContentTypeParser('text/plain', { parseAs: 'string', bodyLimit: 4 * 1024 * 1024 }, (_request, body, done) => {
    try {
      done(null, JSON.parse(String(body)));
    } catch {
      done(new AppError('bad_request', 'The body is not valid JSON.'), undefined);
    }
  });

  app.post('/api/attempts', async (request, reply) => {
    const session = requireLtiSession(request);
    const { attempt, jobsQueued } = await startAttempt(services.store.db, session, services.now());
    if (jobsQueued) services.jobs.wake();
    return reply.status(201).send({ attempt: { id: attempt.id, startedAt: new Date(attempt.started_at).toISOString() } });
  });

  app.get<{ Params: { id: number }; Querystring: { mode: PlayerMode } }>(
    '/api/attempts/:id/launch',
    { schema: { params: idParams, querystring: { type: 'object', properties: { mode: { type: 'string', enum: ['normal', 'review'], default: 'normal' } } } } },
    async (request, reply) => {
      const session = requireLtiSession(request);
      const launch = await openAttempt(services.store.db, keys(), session, request.params.id, request.query.mode, services.now());
      if (launch.mode === 'normal') {
        // Any other window with this attempt open must stop: it would overwrite this one's answers.
        // Not awaited: the new session is already the current one, so the answer need not wait
        // for the announcement's round trip (PostgreSQL NOTIFY) too; it goes out at the same time.
        services.events
          .publish({ type: 'attempt-opened', attemptId: launch.attempt.id, sessionId: launch.sessionId })
          .catch((error: unknown) => request.log.error({ err: error, attemptId: launch.attempt.id }, 'announcing an opened attempt failed'));
      }
      reply.header('Cache-Control', 'no-store');
      return launch;
    },
  );

  app.post('/api/test-runs', async (request, reply) => {
    const session = requireLtiSession(request);
    reply.header('Cache-Control', 'no-store');
    return openTestRun(services.store.db, keys(), session, services.now());
  });

  async function saveBatches(request: FastifyRequest<{ Params: { id: number }; Body: BatchBody }>, token: string | null) {
    const session = requireLtiSession(request, token);
    await requireAttemptAccess(services.store.db, session, request.params.id);
    const outcomes = await services.writer.submitAll(toIncoming(request.params.id, request.body, session));
    return {
      acked: outcomes.filter((o) => o.status === 'acked').map((o) => o.seq),
      refused: outcomes.flatMap((o) => (o.status === 'refused' ? [{ seq: o.seq, code: o.code, message: o.message }] : [])),
      ended: outcomes.some((o) => o.status === 'acked' && o.ended),
    };
  }

  app.post<{ Params: { id: number }; Body: BatchBody }>(
    '/api/attempts/:id/batches',
    { schema: { params: idParams, body: batchesBodySchema }, bodyLimit: 4 * 1024 * 1024 },
    async (request) => saveBatches(request, bearerToken(request)),
  );

  // The last resort when a page closes: navigator.sendBeacon cannot set headers, so the token is in the body.
  app.post<{ Params: { id: number }; Body: BatchBody }>(
    '/api/beacon/attempts/:id/batches',
    { schema: { params: idParams, body: batchesBodySchema }, bodyLimit: 4 * 1024 * 1024 },
    async (request) => saveBatches(request, request.body.token ?? null),
  );
}
