import type { Kysely } from 'kysely';
import type { LtiSession } from '../domain/session-token.js';
import { AppError } from '../lib/errors.js';
import type { Database } from '../store/schema.js';
import type { AttemptRow } from '../store/tables/attempts.js';

/**
 * The access policy for resources and attempts. A session names one resource link; through
 * it, one resource. Students reach their own attempts at that resource; instructors reach
 * every attempt at that resource. Nothing else, whatever id a request names.
 */
export async function resourceIdOfSession(db: Kysely<Database>, session: LtiSession): Promise<number | null> {
  const link = await db
    .selectFrom('resource_links')
    .select('resource_id')
    .where('id', '=', session.resourceLinkId)
    .where('consumer_id', '=', session.consumerId)
    .executeTakeFirst();
  if (!link) throw new AppError('session_invalid', 'This session no longer matches a known link. Open the link from your course again.');
  return link.resource_id;
}

export async function requireAttemptAccess(db: Kysely<Database>, session: LtiSession, attemptId: number): Promise<AttemptRow> {
  const resourceId = await resourceIdOfSession(db, session);
  const attempt = await db.selectFrom('attempts').selectAll().where('id', '=', attemptId).executeTakeFirst();
  const allowed =
    attempt !== undefined &&
    resourceId !== null &&
    attempt.resource_id === resourceId &&
    (session.role === 'instructor' || attempt.user_id === session.userId);
  // The same answer for "no such attempt" and "not yours": ids reveal nothing.
  if (!allowed || !attempt) throw new AppError('not_found', 'There is no such attempt for you at this exam.');
  return attempt;
}

export function requireInstructor(session: LtiSession): void {
  if (session.role !== 'instructor') throw new AppError('forbidden', 'Only an instructor of this course can do that.');
}
