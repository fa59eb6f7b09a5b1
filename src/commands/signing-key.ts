import type { Kysely } from 'kysely';
import type { SecretBox } from '../lib/secret-box.js';
import type { SigningKey } from '../lti/lti13/jwt.js';
import { findSigningToolKey } from '../store/repositories/tool-keys.js';
import type { Database } from '../store/schema.js';
import { ensureToolKey } from './ensure-tool-key.js';

/**
 * The key the tool signs with now (the newest unretired one), its private half unsealed.
 * Start-up creates the first key; should none exist yet (a command run before any server
 * started), one is created here rather than failing.
 */
export async function signingKey(db: Kysely<Database>, box: SecretBox, now: number): Promise<SigningKey> {
  let row = await findSigningToolKey(db);
  if (!row) {
    await ensureToolKey(db, box, now);
    row = await findSigningToolKey(db);
  }
  if (!row) throw new Error('no signing key could be created');
  return { kid: row.kid, privateKeyPem: box.open(row.private_key_sealed) };
}
