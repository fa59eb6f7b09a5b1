import type { Kysely } from 'kysely';
import { isAppError } from '../lib/errors.js';
import type { SecretBox } from '../lib/secret-box.js';
import { findConsumerByKey } from '../store/repositories/consumers.js';
import type { Database } from '../store/schema.js';
import { createConsumer } from './create-consumer.js';

/** The consumer key the built-in demo LMS signs its launches with. */
export const DEMO_CONSUMER_KEY = 'demo-lms';

/**
 * Makes sure the demo LMS has a consumer and returns its id. An existing one is kept as it
 * is: its secret is not rotated, and if an admin disabled it, it stays disabled (the demo
 * launches are then refused like any other disabled consumer's).
 */
export async function ensureDemoConsumer(db: Kysely<Database>, box: SecretBox, now: number): Promise<number> {
  const existing = await findConsumerByKey(db, DEMO_CONSUMER_KEY);
  if (existing) return existing.id;
  try {
    await createConsumer(db, box, { key: DEMO_CONSUMER_KEY, url: null }, now);
  } catch (error) {
    // Two processes starting at once on one database: the other one created it.
    if (!(isAppError(error) && error.code === 'conflict')) throw error;
  }
  const created = await findConsumerByKey(db, DEMO_CONSUMER_KEY);
  if (!created) throw new Error(`the demo consumer "${DEMO_CONSUMER_KEY}" could not be created`);
  return created.id;
}
