import type { Kysely } from 'kysely';
import { AppError } from '../lib/errors.js';
import { setPlatformDisabled } from '../store/repositories/platforms.js';
import type { Database } from '../store/schema.js';

/** Disabling refuses new launches from the platform and keeps all its data. */
export async function setPlatformEnabled(db: Kysely<Database>, id: number, enabled: boolean, now: number): Promise<void> {
  if (!(await setPlatformDisabled(db, id, enabled ? null : now))) {
    throw new AppError('not_found', `There is no platform with the id ${id}.`);
  }
}
