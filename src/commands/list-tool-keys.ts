import type { Kysely } from 'kysely';
import { listToolKeys as listRows } from '../store/repositories/tool-keys.js';
import type { Database } from '../store/schema.js';

export type ToolKeyState = 'signing' | 'published' | 'expired';

export interface ToolKeyListing {
  kid: string;
  /** signing: the key in use; published: retired but still in the JWKS; expired: neither. */
  state: ToolKeyState;
  createdAt: number;
  retiredAt: number | null;
  expiresAt: number | null;
}

/** The tool's keys, newest first, with what each is for now (for `keys list`). */
export async function listToolKeys(db: Kysely<Database>, now: number): Promise<ToolKeyListing[]> {
  const rows = await listRows(db);
  // Only the newest unretired key signs; an older unretired one (two nodes starting at once) is published only.
  const signer = rows.find((r) => r.retired_at === null)?.kid;
  return rows.map((r) => ({
    kid: r.kid,
    state: r.kid === signer ? 'signing' : r.expires_at !== null && r.expires_at <= now ? 'expired' : 'published',
    createdAt: r.created_at,
    retiredAt: r.retired_at,
    expiresAt: r.expires_at,
  }));
}
