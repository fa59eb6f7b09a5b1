import type { Kysely } from 'kysely';
import { type LtiSession, sessionMessage } from '../domain/session-token.js';
import { AppError } from '../lib/errors.js';
import type { Database } from '../store/schema.js';
import { resourceIdOfSession } from './resource-access.js';

export interface SubmissionReviewTarget {
  /** The attempt to open in review mode; null when the student has none at this exam. */
  attemptId: number | null;
  student: { userId: number | null; name: string | null };
}

/**
 * A submission review launch (LtiSubmissionReviewRequest): the attempt to open in review mode.
 * A student gets their own latest attempt, whatever for_user says; an instructor gets the
 * latest attempt of the for_user student, looked up in the session's own tenant only. The
 * attempt is then opened through the usual review path, which applies the review rules.
 */
export async function readSubmissionReview(db: Kysely<Database>, session: LtiSession): Promise<SubmissionReviewTarget> {
  if (sessionMessage(session) !== 'submission-review') {
    throw new AppError('bad_request', 'This session is not a submission review launch.');
  }
  const resourceId = await resourceIdOfSession(db, session);
  if (resourceId === null) throw new AppError('conflict', 'No exam has been set up for this link yet, so there is nothing to review.');
  let userId: number | null;
  if (session.role === 'student') {
    userId = session.userId;
  } else {
    if (session.forUser === undefined) throw new AppError('bad_request', 'The platform did not say whose submission to review (no for_user claim).');
    const user = await db
      .selectFrom('users')
      .select('id')
      .where('consumer_id', '=', session.consumerId)
      .where('lti_user_id', '=', session.forUser)
      .executeTakeFirst();
    userId = user?.id ?? null;
  }
  if (userId === null) return { attemptId: null, student: { userId: null, name: null } };
  const [user, attempt] = await Promise.all([
    db.selectFrom('users').select(['name_full', 'name_given', 'name_family', 'username']).where('id', '=', userId).executeTakeFirstOrThrow(),
    db
      .selectFrom('attempts')
      .select('id')
      .where('resource_id', '=', resourceId)
      .where('user_id', '=', userId)
      .orderBy('started_at', 'desc')
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirst(),
  ]);
  const joined = [user.name_given, user.name_family].filter((p) => p !== null && p !== '').join(' ');
  return { attemptId: attempt?.id ?? null, student: { userId, name: user.name_full ?? (joined === '' ? user.username : joined) } };
}
