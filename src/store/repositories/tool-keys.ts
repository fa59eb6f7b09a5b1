import type { Insertable, Kysely } from 'kysely';
import type { Database } from '../schema.js';
import type { ToolKeyRow, ToolKeysTable } from '../tables/platforms.js';

type Db = Kysely<Database>;

export async function insertToolKey(db: Db, row: Insertable<ToolKeysTable>): Promise<void> {
  await db.insertInto('tool_keys').values(row).execute();
}

/** Every key, newest first (for `keys list`). */
export async function listToolKeys(db: Db): Promise<ToolKeyRow[]> {
  return db.selectFrom('tool_keys').selectAll().orderBy('created_at', 'desc').orderBy('kid', 'desc').execute();
}

/** The keys a platform may still see a signature from: every key that has not expired. */
export async function listPublishedToolKeys(db: Db, now: number): Promise<ToolKeyRow[]> {
  return db
    .selectFrom('tool_keys')
    .selectAll()
    .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
    .orderBy('created_at', 'desc')
    .orderBy('kid', 'desc')
    .execute();
}

/** The key that signs: the newest one not retired. */
export async function findSigningToolKey(db: Db): Promise<ToolKeyRow | undefined> {
  return db.selectFrom('tool_keys').selectAll().where('retired_at', 'is', null).orderBy('created_at', 'desc').orderBy('kid', 'desc').limit(1).executeTakeFirst();
}

export async function countToolKeys(db: Db): Promise<number> {
  const row = await db.selectFrom('tool_keys').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst();
  return Number(row?.n ?? 0);
}

/**
 * Retires every signing key but `keepKid`. A key retired earlier keeps its own expiry, so a
 * second rotation does not stretch the life of a key that was already on its way out.
 */
export async function retireToolKeysExcept(db: Db, keepKid: string, retiredAt: number, expiresAt: number): Promise<string[]> {
  const rows = await db
    .updateTable('tool_keys')
    .set({ retired_at: retiredAt, expires_at: expiresAt })
    .where('retired_at', 'is', null)
    .where('kid', '!=', keepKid)
    .returning('kid')
    .execute();
  return rows.map((r) => r.kid);
}

/** Expired keys are no longer published and can never sign again: nothing needs them. */
export async function deleteExpiredToolKeys(db: Db, now: number): Promise<number> {
  const result = await db.deleteFrom('tool_keys').where('expires_at', 'is not', null).where('expires_at', '<=', now).executeTakeFirst();
  return Number(result.numDeletedRows);
}
