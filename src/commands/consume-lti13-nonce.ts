import type { Kysely } from 'kysely';
import { purgeExpiredLti13Nonces, recordLti13Nonce } from '../store/repositories/lti13-nonces.js';
import type { Database } from '../store/schema.js';

/** Expired nonces are purged at most this often per process: a launch should not pay for a DELETE every time. */
export const LTI13_NONCE_PURGE_EVERY_MS = 60_000;

let lastPurgeAt = Number.NEGATIVE_INFINITY;

/**
 * Uses up an LTI 1.3 launch nonce of a platform until `expiresAt` (the id_token's expiry plus
 * the allowed skew). Returns false when it was used already: a replay. Purging is only
 * housekeeping (an expired row never blocks a nonce), so the per-process throttle is harmless
 * with several nodes.
 */
export async function consumeLti13Nonce(db: Kysely<Database>, platformId: number, nonce: string, expiresAt: number, now: number): Promise<boolean> {
  if (now - lastPurgeAt >= LTI13_NONCE_PURGE_EVERY_MS || now < lastPurgeAt) {
    lastPurgeAt = now;
    await purgeExpiredLti13Nonces(db, now);
  }
  return recordLti13Nonce(db, platformId, nonce, expiresAt, now);
}
