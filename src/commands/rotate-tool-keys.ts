import type { Kysely } from 'kysely';
import type { SecretBox } from '../lib/secret-box.js';
import { deleteExpiredToolKeys, retireToolKeysExcept } from '../store/repositories/tool-keys.js';
import type { Database } from '../store/schema.js';
import { createToolKey } from './ensure-tool-key.js';

/** How long a rotated-out key stays published when LTI_KEY_OVERLAP_DAYS is not set. */
export const DEFAULT_KEY_OVERLAP_DAYS = 7;

export interface RotatedKeys {
  /** The new key: it signs from now on. */
  kid: string;
  /** The keys it replaced, still published until `expiresAt`. */
  retired: string[];
  expiresAt: number;
}

/**
 * Adds a new signing key and retires the current one. The retired key stays in the JWKS for
 * the overlap, so a platform that cached our keys, or holds a message we signed just before,
 * can still check it. Keys whose overlap has ended are removed.
 */
export async function rotateToolKeys(db: Kysely<Database>, box: SecretBox, now: number, overlapMs: number = DEFAULT_KEY_OVERLAP_DAYS * 24 * 3600 * 1000): Promise<RotatedKeys> {
  const expiresAt = now + overlapMs;
  return db.transaction().execute(async (trx) => {
    const kid = await createToolKey(trx, box, now);
    const retired = await retireToolKeysExcept(trx, kid, now, expiresAt);
    await deleteExpiredToolKeys(trx, now);
    return { kid, retired, expiresAt };
  });
}
