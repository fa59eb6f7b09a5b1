import type { Kysely } from 'kysely';
import { AppError } from '../lib/errors.js';
import { setConsumerDisabled } from '../store/repositories/consumers.js';
import type { Database } from '../store/schema.js';

/** Disabling refuses new launches from the consumer and keeps all its data. */
export async function setConsumerEnabled(db: Kysely<Database>, key: string, enabled: boolean, now: number): Promise<void> {
  if (!(await setConsumerDisabled(db, key, enabled ? null : now))) {
    throw new AppError('not_found', `There is no consumer with the key "${key}".`);
  }
}
