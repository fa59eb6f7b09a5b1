import type { Kysely } from 'kysely';
import type { LtiSession } from '../domain/session-token.js';
import { AppError } from '../lib/errors.js';
import type { Database } from '../store/schema.js';
import { enqueueApplyAccess } from './enqueue-apply-access.js';
import { requireInstructorResource } from './instructor-resource.js';

/** Removes an access change of the session's resource (its targets go with it); its students fall back to the other rules at once. */
export async function deleteAccessChange(db: Kysely<Database>, session: LtiSession, changeId: number, now: number): Promise<void> {
  const resourceId = await requireInstructorResource(db, session);
  await db.transaction().execute(async (trx) => {
    const deleted = await trx.deleteFrom('access_changes').where('id', '=', changeId).where('resource_id', '=', resourceId).executeTakeFirst();
    // The same answer for "no such change" and "another exam's change": ids reveal nothing.
    if (Number(deleted.numDeletedRows) === 0) throw new AppError('not_found', 'There is no such access change at this exam.');
    await enqueueApplyAccess(trx, resourceId, now);
  });
}
