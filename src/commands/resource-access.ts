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
  // One round trip, not two (the link, then the attempt): a resume makes this check first,
  // and on PostgreSQL each round trip is about half a millisecond (docs/performance.md).
  // The attempt is joined on the id alone; the checks below are the policy, as for any read.
  const found = await db
    .selectFrom('resource_links')
    .leftJoin('attempts', (join) => join.on('attempts.id', '=', Number.isSafeInteger(attemptId) ? attemptId : -1))
    .select('resource_links.resource_id as link_resource_id')
    .selectAll('attempts')
    .where('resource_links.id', '=', session.resourceLinkId)
    .where('resource_links.consumer_id', '=', session.consumerId)
    .executeTakeFirst();
  if (!found) return checkAttemptAccess(session, undefined, undefined);
  const { link_resource_id: resourceId, ...row } = found;
  return checkAttemptAccess(session, { resource_id: resourceId }, row.id === null ? undefined : (row as AttemptRow));
}

/**
 * The policy of requireAttemptAccess on rows already read (a resume reads the session's link
 * and the attempt in its one statement): `link` undefined when the session's link is gone,
 * `attempt` undefined when no attempt has the id.
 */
export function checkAttemptAccess(session: LtiSession, link: { resource_id: number | null } | undefined, attempt: AttemptRow | undefined): AttemptRow {
  if (!link) throw new AppError('session_invalid', 'This session no longer matches a known link. Open the link from your course again.');
  const allowed =
    attempt !== undefined &&
    link.resource_id !== null &&
    attempt.resource_id === link.resource_id &&
    (session.role === 'instructor' || attempt.user_id === session.userId);
  // The same answer for "no such attempt" and "not yours": ids reveal nothing.
  if (!allowed || !attempt) throw new AppError('not_found', 'There is no such attempt for you at this exam.');
  return attempt;
}

export function requireInstructor(session: LtiSession): void {
  if (session.role !== 'instructor') throw new AppError('forbidden', 'Only an instructor of this course can do that.');
}
