import type { Kysely } from 'kysely';
import { AppError } from '../lib/errors.js';
import { hashPassword } from '../lib/password.js';
import { findAdminByUsername, insertAdmin } from '../store/repositories/admins.js';
import type { Database } from '../store/schema.js';

export const MIN_PASSWORD_LENGTH = 10;
// Long enough for any passphrase; the cap only stops absurd inputs from reaching scrypt.
const MAX_PASSWORD_LENGTH = 1024;

export interface CreatedAdmin {
  id: number;
  username: string;
}

export function validateUsername(username: string): string {
  const trimmed = username.trim();
  if (trimmed === '') throw new AppError('bad_request', 'The username must not be empty.');
  if (trimmed.length > 100) throw new AppError('bad_request', 'The username must be at most 100 characters.');
  if (/[\u0000-\u001f\u007f]/.test(trimmed)) throw new AppError('bad_request', 'The username must not contain control characters.');
  return trimmed;
}

function validatePassword(password: string): void {
  // Counted in characters as a person sees them, not UTF-16 units.
  const length = [...password].length;
  if (length < MIN_PASSWORD_LENGTH) {
    throw new AppError('bad_request', `The password must be at least ${MIN_PASSWORD_LENGTH} characters long.`);
  }
  if (length > MAX_PASSWORD_LENGTH) throw new AppError('bad_request', `The password must be at most ${MAX_PASSWORD_LENGTH} characters long.`);
}

export async function createAdmin(db: Kysely<Database>, input: { username: string; password: string }, now: number): Promise<CreatedAdmin> {
  const username = validateUsername(input.username);
  validatePassword(input.password);
  const taken = (): AppError => new AppError('conflict', `An admin with the username "${username}" already exists.`);
  if (await findAdminByUsername(db, username)) throw taken();
  const passwordHash = await hashPassword(input.password);
  try {
    const row = await insertAdmin(db, { username, password_hash: passwordHash, created_at: now });
    return { id: row.id, username: row.username };
  } catch (error) {
    // Two creations racing on one username: the unique constraint decides.
    if (await findAdminByUsername(db, username)) throw taken();
    throw error;
  }
}
