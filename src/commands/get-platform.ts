import type { Kysely } from 'kysely';
import { AppError } from '../lib/errors.js';
import type { Database } from '../store/schema.js';
import { listPlatforms, type PlatformListing } from './list-platforms.js';

/**
 * One platform with its deployments and counts (for the delete confirmation). Built on the
 * listing: an installation registers a handful of platforms, so one summary query is enough.
 */
export async function getPlatform(db: Kysely<Database>, id: number): Promise<PlatformListing> {
  const found = (await listPlatforms(db)).find((p) => p.id === id);
  if (!found) throw new AppError('not_found', `There is no platform with the id ${id}.`);
  return found;
}
