import type { Kysely } from 'kysely';
import { hashAdminSessionToken } from '../domain/admin-session-token.js';
import { findLiveAdminSession } from '../store/repositories/admins.js';
import type { Database } from '../store/schema.js';

export interface AdminIdentity {
  adminId: number;
  username: string;
  expiresAt: number;
}

/** The admin a session token belongs to, or null when it is unknown, ended or expired. */
export async function resolveAdminSession(db: Kysely<Database>, token: string | null | undefined, now: number): Promise<AdminIdentity | null> {
  // Tokens are 43 base64url characters; anything else cannot be one, so skip the query.
  if (!token || token.length > 128) return null;
  return (await findLiveAdminSession(db, hashAdminSessionToken(token), now)) ?? null;
}
