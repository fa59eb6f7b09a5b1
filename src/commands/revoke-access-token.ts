import type { Kysely } from 'kysely';
import type { LtiSession } from '../domain/session-token.js';
import { AppError } from '../lib/errors.js';
import type { Database } from '../store/schema.js';
import { enqueueApplyAccess } from './enqueue-apply-access.js';
import { type AccessTokensAnswer, countAccessTokens } from './grant-access-token.js';
import { requireInstructorResource, requireStudentOfResource } from './instructor-resource.js';

/**
 * Takes back the newest access token. Attempts already started stay: a token allows starting
 * an attempt, it does not own one.
 */
export async function revokeAccessToken(db: Kysely<Database>, session: LtiSession, userId: number, now: number): Promise<AccessTokensAnswer> {
  const resourceId = await requireInstructorResource(db, session);
  await requireStudentOfResource(db, resourceId, userId);
  return db.transaction().execute(async (trx) => {
    const newest = await trx
      .selectFrom('access_tokens')
      .select('id')
      .where('resource_id', '=', resourceId)
      .where('user_id', '=', userId)
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirst();
    if (!newest) throw new AppError('conflict', 'This student has no access token to revoke.');
    await trx.deleteFrom('access_tokens').where('id', '=', newest.id).execute();
    await enqueueApplyAccess(trx, resourceId, now);
    return { userId, accessTokens: await countAccessTokens(trx, resourceId, userId) };
  });
}
