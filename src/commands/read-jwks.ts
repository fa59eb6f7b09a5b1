import type { Kysely } from 'kysely';
import type { PublicJwk } from '../lti/lti13/jwt.js';
import { listPublishedToolKeys } from '../store/repositories/tool-keys.js';
import type { Database } from '../store/schema.js';

export interface Jwks {
  keys: PublicJwk[];
}

/** The tool's public keys as a JWKS: every key not yet expired, the signing key first. */
export async function readJwks(db: Kysely<Database>, now: number): Promise<Jwks> {
  const rows = await listPublishedToolKeys(db, now);
  // Newest first already; a stable sort then puts the keys that still sign before the retired ones.
  const ordered = [...rows].sort((a, b) => Number(a.retired_at !== null) - Number(b.retired_at !== null));
  return { keys: ordered.map((row) => JSON.parse(row.public_jwk) as PublicJwk) };
}
