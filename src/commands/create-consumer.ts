import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { AppError } from '../lib/errors.js';
import type { SecretBox } from '../lib/secret-box.js';
import { findConsumerByKey, insertConsumer } from '../store/repositories/consumers.js';
import type { Database } from '../store/schema.js';

export interface CreatedConsumer {
  key: string;
  /** Shown once to the admin; stored only sealed. */
  secret: string;
  url: string | null;
}

export function validateConsumerKey(key: string): string {
  const trimmed = key.trim();
  if (trimmed === '') throw new AppError('bad_request', 'The consumer key must not be empty.');
  if (trimmed.length > 200) throw new AppError('bad_request', 'The consumer key must be at most 200 characters.');
  if (/[\u0000-\u001f]/.test(trimmed)) throw new AppError('bad_request', 'The consumer key must not contain control characters.');
  return trimmed;
}

function validateUrl(url: string | null | undefined): string | null {
  if (url === null || url === undefined || url.trim() === '') return null;
  try {
    const parsed = new URL(url.trim());
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error('scheme');
    return parsed.toString();
  } catch {
    throw new AppError('bad_request', `The consumer URL "${url}" is not an http(s) URL.`);
  }
}

export async function createConsumer(
  db: Kysely<Database>,
  box: SecretBox,
  input: { key: string; url?: string | null },
  now: number,
): Promise<CreatedConsumer> {
  const key = validateConsumerKey(input.key);
  const url = validateUrl(input.url);
  if (await findConsumerByKey(db, key)) throw new AppError('conflict', `A consumer with the key "${key}" already exists.`);
  const secret = randomBytes(24).toString('base64url');
  try {
    await insertConsumer(db, { key, secret_sealed: box.seal(secret), url, created_at: now, disabled_at: null });
  } catch (error) {
    // Two admins racing on the same key: the unique constraint decides.
    if (await findConsumerByKey(db, key)) throw new AppError('conflict', `A consumer with the key "${key}" already exists.`);
    throw error;
  }
  return { key, secret, url };
}
