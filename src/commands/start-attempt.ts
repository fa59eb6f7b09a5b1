import type { Kysely } from 'kysely';
import { canStartAttempt } from '../domain/attempt-rules.js';
import type { LtiSession } from '../domain/session-token.js';
import { AppError } from '../lib/errors.js';
import { isSqlite } from '../store/dialect.js';
import type { Database } from '../store/schema.js';
import type { AttemptRow } from '../store/tables/attempts.js';
import { loadAccess } from './load-access.js';
import { queueAgsStatus } from './queue-ags-status.js';
import { resourceIdOfSession } from './resource-access.js';

export interface StartedAttempt {
  attempt: AttemptRow;
  /** A job (the LMS's Started status) was queued with it: wake the job runner once this has committed. */
  jobsQueued: boolean;
}

/**
 * Starts a new attempt for the session's user at the resource's current package version, when
 * the rules allow it (available now, no attempt left open, within the attempt limit).
 */
export async function startAttempt(db: Kysely<Database>, session: LtiSession, now: number): Promise<StartedAttempt> {
  if (session.role !== 'student') throw new AppError('forbidden', 'Instructors try the exam with a test run, which saves nothing.');
  const resourceId = await resourceIdOfSession(db, session);
  const resource = resourceId === null ? undefined : await db.selectFrom('resources').selectAll().where('id', '=', resourceId).executeTakeFirst();
  if (!resource || resource.current_package_version_id === null) {
    throw new AppError('conflict', 'Your instructor has not set up this exam yet.');
  }
  const versionId = resource.current_package_version_id;
  return db.transaction().execute(async (trx) => {
    // Two starts at once (a double click, two tabs) must not both pass the attempt limit: on
    // PostgreSQL they queue on the user's row; SQLite runs one write transaction at a time anyway.
    if (!isSqlite(trx)) await trx.selectFrom('users').select('id').where('id', '=', session.userId).forUpdate().execute();
    const { access, attempts } = await loadAccess(trx, resource.id, session.userId, now);
    const verdict = canStartAttempt(access, attempts, now);
    if (!verdict.allowed) throw new AppError('forbidden', verdict.reason);
    const attempt = await trx
      .insertInto('attempts')
      .values({
        resource_id: resource.id,
        user_id: session.userId,
        package_version_id: versionId,
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
    // An LTI 1.3 LMS hears that the activity started, on the first attempt only: after that the
    // activity has been submitted, and a platform may read a new Started as a rollback of the grade.
    const jobsQueued = attempts.length === 0 && (await queueAgsStatus(trx, { resourceId: resource.id, userId: session.userId, status: 'started', at: now }, now));
    return { attempt, jobsQueued };
  });
}
