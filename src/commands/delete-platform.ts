import type { Kysely } from 'kysely';
import { AppError } from '../lib/errors.js';
import { countPlatformsOfConsumer, deletePlatformRow, findPlatformById } from '../store/repositories/platforms.js';
import type { Database } from '../store/schema.js';

/**
 * Deletes a platform with its deployments and, when its tenant was made for it (lti13_only),
 * the tenant with every user, context, link and launch recorded under it. A platform that took
 * over an LTI 1.1 consumer (lti1p1 migration) leaves that consumer and its records in place.
 */
export async function deletePlatform(db: Kysely<Database>, id: number): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const platform = await findPlatformById(trx, id);
    if (!platform || !(await deletePlatformRow(trx, id))) throw new AppError('not_found', `There is no platform with the id ${id}.`);
    if ((await countPlatformsOfConsumer(trx, platform.consumer_id)) > 0) return;
    await trx.deleteFrom('consumers').where('id', '=', platform.consumer_id).where('lti13_only', '=', 1).execute();
  });
}
