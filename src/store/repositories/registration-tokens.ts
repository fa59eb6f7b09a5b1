import type { Kysely, Selectable } from 'kysely';
import type { Database } from '../schema.js';
import type { RegistrationTokensTable } from '../tables/platforms.js';

type Db = Kysely<Database>;

export type RegistrationTokenRow = Selectable<RegistrationTokensTable>;

export async function insertRegistrationToken(db: Db, tokenHash: string, createdAt: number, expiresAt: number): Promise<void> {
  await db.insertInto('registration_tokens').values({ token_hash: tokenHash, created_at: createdAt, expires_at: expiresAt, used_at: null, platform_id: null }).execute();
}

export async function findRegistrationToken(db: Db, tokenHash: string): Promise<RegistrationTokenRow | undefined> {
  return db.selectFrom('registration_tokens').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
}

/**
 * Marks an unused, unexpired token used. A conditional UPDATE, so of two requests racing on
 * one token exactly one gets true.
 */
export async function markRegistrationTokenUsed(db: Db, tokenHash: string, now: number, platformId: number | null): Promise<boolean> {
  const result = await db
    .updateTable('registration_tokens')
    .set({ used_at: now, platform_id: platformId })
    .where('token_hash', '=', tokenHash)
    .where('used_at', 'is', null)
    .where('expires_at', '>', now)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Records which platform a used token registered, once that platform exists. */
export async function setRegistrationTokenPlatform(db: Db, tokenHash: string, platformId: number): Promise<void> {
  await db.updateTable('registration_tokens').set({ platform_id: platformId }).where('token_hash', '=', tokenHash).execute();
}

/** Tokens expired for a day are of no use, even to explain a refusal. */
export async function purgeOldRegistrationTokens(db: Db, before: number): Promise<number> {
  const result = await db.deleteFrom('registration_tokens').where('expires_at', '<', before).executeTakeFirst();
  return Number(result.numDeletedRows);
}
