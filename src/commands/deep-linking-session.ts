import type { Kysely } from 'kysely';
import { type LtiSession, sessionMessage } from '../domain/session-token.js';
import { AppError } from '../lib/errors.js';
import type { Database } from '../store/schema.js';
import { launchServiceFacts, type LaunchServiceFacts, sessionDeepLinking } from './lti13-session-facts.js';
import { requireInstructor } from './resource-access.js';

export interface DeepLinkingSession extends LaunchServiceFacts {
  contextId: number;
  returnUrl: string;
  data: string | null;
}

/**
 * An instructor's deep linking session, with everything the answer needs: the platform and
 * deployment of the launch, its course, and the return URL and data of the request. Only the
 * course of the launch is ever offered, whatever a request names.
 */
export async function requireDeepLinkingSession(db: Kysely<Database>, session: LtiSession): Promise<DeepLinkingSession> {
  requireInstructor(session);
  const request = sessionDeepLinking(session);
  if (sessionMessage(session) !== 'deep-linking' || request === null) {
    throw new AppError('forbidden', 'This session is not a deep linking request: add the exam from your course’s “add content” menu.');
  }
  const facts = await launchServiceFacts(db, session);
  if (facts.contextId === null) throw new AppError('bad_request', 'The platform sent this deep linking request without a course; exams belong to a course.');
  return { ...facts, contextId: facts.contextId, returnUrl: request.returnUrl, data: request.data };
}
