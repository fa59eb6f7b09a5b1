import type { Kysely } from 'kysely';
import { AppError } from '../lib/errors.js';
import { deleteConsumer as deleteRow } from '../store/repositories/consumers.js';
import type { Database } from '../store/schema.js';

/** Deletes the consumer with every user, context, link and launch recorded under it. */
export async function deleteConsumer(db: Kysely<Database>, key: string): Promise<void> {
  if (!(await deleteRow(db, key))) throw new AppError('not_found', `There is no consumer with the key "${key}".`);
}
