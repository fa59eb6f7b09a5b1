import type { Kysely } from 'kysely';
import type { LtiSession } from '../domain/session-token.js';
import { AppError } from '../lib/errors.js';
import type { Database } from '../store/schema.js';
import type { AttemptRow } from '../store/tables/attempts.js';
import { resourceIdOfSession } from './resource-access.js';

/** Starts a new attempt for the session's user at the resource's current package version. */
export async function startAttempt(db: Kysely<Database>, session: LtiSession, now: number): Promise<AttemptRow> {
  if (session.role !== 'student') throw new AppError('forbidden', 'Instructors try the exam with a test run, which saves nothing.');
  const resourceId = await resourceIdOfSession(db, session);
  const resource = resourceId === null ? undefined : await db.selectFrom('resources').selectAll().where('id', '=', resourceId).executeTakeFirst();
  if (!resource || resource.current_package_version_id === null) {
    throw new AppError('conflict', 'Your instructor has not set up this exam yet.');
  }
  return db
    .insertInto('attempts')
    .values({
      resource_id: resource.id,
      user_id: session.userId,
      package_version_id: resource.current_package_version_id,
      started_at: now,
      ended_at: null,
      ended_seq: null,
      completion_status: null,
      success_status: null,
      score_raw: null,
      score_min: null,
      score_max: null,
      score_scaled: null,
      time_spent_ms: 0,
      question_scores: null,
      current_session_id: null,
      element_count: 0,
      updated_at: now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}
