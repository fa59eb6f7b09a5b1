import type { Kysely } from 'kysely';
import { hashAdminSessionToken } from '../domain/admin-session-token.js';
import { deleteAdminSession } from '../store/repositories/admins.js';
import type { Database } from '../store/schema.js';

/** Ends the session server-side, so a copied cookie stops working too. */
export async function adminLogout(db: Kysely<Database>, token: string): Promise<void> {
  await deleteAdminSession(db, hashAdminSessionToken(token));
}
