import type { Kysely } from 'kysely';
import { AppError } from '../lib/errors.js';
import type { Database } from '../store/schema.js';
import { type ConsumerListing, listConsumers } from './list-consumers.js';

/**
 * One consumer with its counts (for the delete confirmation). Built on the listing: an
 * installation has a handful of LMSs, so one summary query is cheaper to keep than a second.
 */
export async function getConsumer(db: Kysely<Database>, key: string): Promise<ConsumerListing> {
  const found = (await listConsumers(db)).find((c) => c.key === key);
  if (!found) throw new AppError('not_found', `There is no consumer with the key "${key}".`);
  return found;
}
