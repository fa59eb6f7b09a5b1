import type { Kysely } from 'kysely';
import { ADMIN_SESSION_TTL_MS, hashAdminSessionToken, newAdminSessionToken } from '../domain/admin-session-token.js';
import { AppError } from '../lib/errors.js';
import { hashPassword, verifyPassword } from '../lib/password.js';
import { deleteExpiredAdminSessions, findAdminByUsername, insertAdminSession } from '../store/repositories/admins.js';
import type { Database } from '../store/schema.js';

export interface AdminLogin {
  /** The cookie value; only its SHA-256 is stored. */
  token: string;
  expiresAt: number;
  adminId: number;
  username: string;
}

export const WRONG_CREDENTIALS_MESSAGE = 'Wrong username or password.';

// An unknown username still pays for one scrypt verification, so response time does not
// tell which usernames exist. Made once, lazily, with the same cost as real hashes.
let dummyHash: Promise<string> | null = null;
function dummy(): Promise<string> {
  dummyHash ??= hashPassword('not-a-real-password-only-for-timing');
  return dummyHash;
}

export async function adminLogin(db: Kysely<Database>, input: { username: string; password: string }, now: number): Promise<AdminLogin> {
  const admin = await findAdminByUsername(db, input.username.trim());
  if (!admin) {
    await verifyPassword(input.password, await dummy());
    throw new AppError('unauthenticated', WRONG_CREDENTIALS_MESSAGE);
  }
  if (!(await verifyPassword(input.password, admin.password_hash))) throw new AppError('unauthenticated', WRONG_CREDENTIALS_MESSAGE);
  // Logins are rare, so they also sweep away expired sessions.
  await deleteExpiredAdminSessions(db, now);
  const token = newAdminSessionToken();
  const expiresAt = now + ADMIN_SESSION_TTL_MS;
  await insertAdminSession(db, { admin_id: admin.id, token_hash: hashAdminSessionToken(token), created_at: now, expires_at: expiresAt });
  return { token, expiresAt, adminId: admin.id, username: admin.username };
}
