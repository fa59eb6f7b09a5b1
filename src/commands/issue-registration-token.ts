import { createHash, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { insertRegistrationToken, purgeOldRegistrationTokens } from '../store/repositories/registration-tokens.js';
import type { Database } from '../store/schema.js';

/** A one-time registration URL is meant to be pasted into the LMS right away. */
export const REGISTRATION_TOKEN_TTL_MS = 60 * 60 * 1000;

/** Tokens are stored only as their SHA-256, like admin sessions: the database never holds one that works. */
export function registrationTokenHash(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export interface IssuedRegistrationToken {
  /** Shown once, in the registration URL; never stored. */
  token: string;
  expiresAt: number;
}

/** Issues a random, single-use token for `/lti/register?token=…`, valid for an hour. */
export async function issueRegistrationToken(db: Kysely<Database>, now: number): Promise<IssuedRegistrationToken> {
  const token = randomBytes(32).toString('base64url');
  const expiresAt = now + REGISTRATION_TOKEN_TTL_MS;
  await purgeOldRegistrationTokens(db, now - 24 * 60 * 60 * 1000);
  await insertRegistrationToken(db, registrationTokenHash(token), now, expiresAt);
  return { token, expiresAt };
}
