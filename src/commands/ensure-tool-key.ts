import type { Kysely } from 'kysely';
import type { SecretBox } from '../lib/secret-box.js';
import { generateRsaKeyPair } from '../lti/lti13/jwt.js';
import { findSigningToolKey, insertToolKey } from '../store/repositories/tool-keys.js';
import type { Database } from '../store/schema.js';

/** Stores a new RS256 key pair, its private half sealed with the secret box. */
export async function createToolKey(db: Kysely<Database>, box: SecretBox, now: number): Promise<string> {
  const pair = generateRsaKeyPair();
  await insertToolKey(db, {
    kid: pair.kid,
    private_key_sealed: box.seal(pair.privateKeyPem),
    public_jwk: JSON.stringify(pair.publicJwk),
    created_at: now,
    retired_at: null,
    expires_at: null,
  });
  return pair.kid;
}

/**
 * Makes sure the tool has a key to sign with (run at start-up). Two nodes starting together
 * on an empty database may both create one: harmless, since the newest signs and both are
 * published.
 */
export async function ensureToolKey(db: Kysely<Database>, box: SecretBox, now: number): Promise<{ kid: string; created: boolean }> {
  const current = await findSigningToolKey(db);
  if (current) return { kid: current.kid, created: false };
  return { kid: await createToolKey(db, box, now), created: true };
}
