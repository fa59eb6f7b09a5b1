import type { Kysely } from 'kysely';
import { AppError } from '../lib/errors.js';
import { findRegistrationToken, markRegistrationTokenUsed, setRegistrationTokenPlatform } from '../store/repositories/registration-tokens.js';
import type { Database } from '../store/schema.js';
import { registrationTokenHash } from './issue-registration-token.js';

function refusal(message: string): AppError {
  return new AppError('forbidden', message);
}

/** Says why a token cannot be used, or nothing when it can (read only: for showing the page). */
export async function checkRegistrationToken(db: Kysely<Database>, token: string, now: number): Promise<void> {
  const row = token === '' ? undefined : await findRegistrationToken(db, registrationTokenHash(token));
  if (!row) throw refusal('This registration URL is not valid. Ask the tool administrator for a new one.');
  if (row.used_at !== null) throw refusal('This registration URL has already been used. Ask the tool administrator for a new one.');
  if (row.expires_at <= now) throw refusal('This registration URL has expired. Ask the tool administrator for a new one.');
}

/**
 * Uses up a one-time registration token. Exactly one of two requests racing on a token wins
 * (a conditional UPDATE); the loser, like any unknown, used or expired token, is refused.
 * `platformId` records what the token registered, when that is already known.
 */
export async function consumeRegistrationToken(db: Kysely<Database>, token: string, now: number, platformId: number | null = null): Promise<void> {
  await checkRegistrationToken(db, token, now);
  if (!(await markRegistrationTokenUsed(db, registrationTokenHash(token), now, platformId))) {
    throw refusal('This registration URL has already been used. Ask the tool administrator for a new one.');
  }
}

/** Records the platform a consumed token registered (when it was stored after the token was used). */
export async function linkRegistrationToken(db: Kysely<Database>, token: string, platformId: number): Promise<void> {
  await setRegistrationTokenPlatform(db, registrationTokenHash(token), platformId);
}
