import type { FastifyInstance } from 'fastify';
import { readRoster } from '../../commands/read-roster.js';
import { readSubmissionReview } from '../../commands/read-submission-review.js';
import { ServiceTokenClient } from '../../lti/lti13/service-token.js';
import { requireLtiSession } from '../auth/lti-session.js';

/** A roster read waits for the platform at most this long; the page then shows it as unavailable. */
const ROSTER_TIMEOUT_MS = 15_000;

/**
 * LTI Advantage reads for the web app: GET /api/resource/roster (the course roster from Names
 * and Role Provisioning, with the students who never opened the exam) and
 * GET /api/resource/submission-review (the attempt a submission review launch opens).
 */
export async function lti13ServicesApiRoutes(app: FastifyInstance): Promise<void> {
  // Tokens are cached per (platform, scope set) in this node's memory until they expire.
  const tokens = new ServiceTokenClient({ timeoutMs: ROSTER_TIMEOUT_MS });

  app.get('/api/resource/roster', async (request, reply) => {
    const { store, secretBox, config, now } = app.services;
    reply.header('Cache-Control', 'no-store');
    return readRoster(store.db, requireLtiSession(request), { box: secretBox, tokens, instructorRoles: config.instructorRoles, timeoutMs: ROSTER_TIMEOUT_MS }, now());
  });

  app.get('/api/resource/submission-review', async (request, reply) => {
    reply.header('Cache-Control', 'no-store');
    return readSubmissionReview(app.services.store.db, requireLtiSession(request));
  });
}
