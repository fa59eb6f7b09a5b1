import type { Kysely } from 'kysely';
import type { LtiSession } from '../domain/session-token.js';
import { AppError } from '../lib/errors.js';
import type { Database } from '../store/schema.js';
import { requireInstructor, resourceIdOfSession } from './resource-access.js';

/**
 * The resource an instructor's session manages. Every instructor command goes through here, so
 * the resource always comes from the session's own link (never from an id in the request) and a
 * resource of another course or consumer cannot be reached.
 */
export async function requireInstructorResource(db: Kysely<Database>, session: LtiSession): Promise<number> {
  requireInstructor(session);
  const resourceId = await resourceIdOfSession(db, session);
  if (resourceId === null) throw new AppError('conflict', 'No exam has been set up for this link yet: upload the exam package first.');
  return resourceId;
}

/**
 * The students of a resource: whoever opened one of its links as a student, or has an attempt
 * at it. A query of user ids, to be used as a subquery.
 */
export function studentIdsOfResource(db: Kysely<Database>, resourceId: number) {
  const launched = db
    .selectFrom('launches')
    .innerJoin('resource_links', 'resource_links.id', 'launches.resource_link_id')
    .select('launches.user_id as user_id')
    .where('resource_links.resource_id', '=', resourceId)
    .where('launches.role', '=', 'student');
  const attempted = db.selectFrom('attempts').select('attempts.user_id as user_id').where('attempts.resource_id', '=', resourceId);
  return launched.union(attempted);
}

/** A user id named in a request must be a student of this resource; any other id answers the same "not found". */
export async function requireStudentOfResource(db: Kysely<Database>, resourceId: number, userId: number): Promise<void> {
  const row = await db
    .selectFrom('users')
    .select('users.id')
    .where('users.id', '=', userId)
    .where('users.id', 'in', studentIdsOfResource(db, resourceId))
    .executeTakeFirst();
  if (!row) throw new AppError('not_found', 'There is no such student at this exam.');
}
