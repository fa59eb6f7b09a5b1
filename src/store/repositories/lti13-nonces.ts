import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';

type Db = Kysely<Database>;

/**
 * Records an LTI 1.3 launch nonce for a platform. Returns false when it is already there and
 * still unexpired: a replay. The primary key decides, so two nodes racing on one nonce cannot
 * both win. A row that has expired (not yet purged) is taken over rather than blocking the nonce.
 */
export async function recordLti13Nonce(db: Db, platformId: number, nonce: string, expiresAt: number, now: number): Promise<boolean> {
  const stored = await db
    .insertInto('lti13_nonces')
    .values({ platform_id: platformId, nonce, expires_at: expiresAt })
    .onConflict((oc) => oc.columns(['platform_id', 'nonce']).doUpdateSet({ expires_at: expiresAt }).where('lti13_nonces.expires_at', '<=', now))
    .returning('nonce')
    .executeTakeFirst();
  return stored !== undefined;
}

/** Nonces whose id_token has expired can no longer be replayed: drop them. */
export async function purgeExpiredLti13Nonces(db: Db, now: number): Promise<number> {
  const result = await db.deleteFrom('lti13_nonces').where('expires_at', '<=', now).executeTakeFirst();
  return Number(result.numDeletedRows);
}
