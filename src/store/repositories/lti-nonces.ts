import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';

type Db = Kysely<Database>;

/**
 * Records a nonce for a consumer. Returns false when it was already there: a replay.
 * The unique constraint does the check, so two nodes racing on the same nonce cannot both win.
 */
export async function recordNonce(db: Db, consumerId: number, nonce: string, expiresAt: number): Promise<boolean> {
  const inserted = await db
    .insertInto('lti_nonces')
    .values({ consumer_id: consumerId, nonce, expires_at: expiresAt })
    .onConflict((oc) => oc.columns(['consumer_id', 'nonce']).doNothing())
    .returning('id')
    .executeTakeFirst();
  return inserted !== undefined;
}

/** Nonces whose timestamp could no longer pass the skew check are useless: drop them. */
export async function purgeExpiredNonces(db: Db, now: number): Promise<number> {
  const result = await db.deleteFrom('lti_nonces').where('expires_at', '<', now).executeTakeFirst();
  return Number(result.numDeletedRows);
}
