import type { Kysely } from 'kysely';
import type { LtiSession } from '../domain/session-token.js';
import type { Database } from '../store/schema.js';
import { enqueueApplyAccess } from './enqueue-apply-access.js';
import { requireInstructorResource, requireStudentOfResource } from './instructor-resource.js';

export interface AccessTokensAnswer {
  userId: number;
  /** How many access tokens the student holds now. */
  accessTokens: number;
}

export async function countAccessTokens(db: Kysely<Database>, resourceId: number, userId: number): Promise<number> {
  const row = await db
    .selectFrom('access_tokens')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('resource_id', '=', resourceId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

/**
 * One more attempt for one student: a token row. The apply-access job is queued with it, since
 * a student who had used every attempt may now be graded differently.
 */
export async function grantAccessToken(db: Kysely<Database>, session: LtiSession, userId: number, now: number): Promise<AccessTokensAnswer> {
  const resourceId = await requireInstructorResource(db, session);
  await requireStudentOfResource(db, resourceId, userId);
  return db.transaction().execute(async (trx) => {
    await trx
      .insertInto('access_tokens')
      .values({ resource_id: resourceId, user_id: userId, created_by_user_id: session.userId, created_at: now })
      .execute();
    await enqueueApplyAccess(trx, resourceId, now);
    return { userId, accessTokens: await countAccessTokens(trx, resourceId, userId) };
  });
}
