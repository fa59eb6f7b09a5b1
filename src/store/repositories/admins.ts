import type { Insertable, Kysely, Selectable } from 'kysely';
import type { Database } from '../schema.js';
import type { AdminRow, AdminSessionsTable, AdminsTable } from '../tables/admins.js';

type Db = Kysely<Database>;

export type NewAdminRow = Insertable<AdminsTable>;
export type AdminSessionRow = Selectable<AdminSessionsTable>;
export type NewAdminSessionRow = Insertable<AdminSessionsTable>;

export async function findAdminByUsername(db: Db, username: string): Promise<AdminRow | undefined> {
  return db.selectFrom('admins').selectAll().where('username', '=', username).executeTakeFirst();
}

export async function insertAdmin(db: Db, row: NewAdminRow): Promise<AdminRow> {
  return db.insertInto('admins').values(row).returningAll().executeTakeFirstOrThrow();
}

export async function insertAdminSession(db: Db, row: NewAdminSessionRow): Promise<AdminSessionRow> {
  return db.insertInto('admin_sessions').values(row).returningAll().executeTakeFirstOrThrow();
}

export interface AdminSessionMatch {
  adminId: number;
  username: string;
  expiresAt: number;
}

/** The admin whose live (not yet expired) session has this token hash. */
export async function findLiveAdminSession(db: Db, tokenHash: string, now: number): Promise<AdminSessionMatch | undefined> {
  const row = await db
    .selectFrom('admin_sessions')
    .innerJoin('admins', 'admins.id', 'admin_sessions.admin_id')
    .where('admin_sessions.token_hash', '=', tokenHash)
    .where('admin_sessions.expires_at', '>', now)
    .select(['admins.id as admin_id', 'admins.username', 'admin_sessions.expires_at'])
    .executeTakeFirst();
  return row ? { adminId: row.admin_id, username: row.username, expiresAt: row.expires_at } : undefined;
}

export async function deleteAdminSession(db: Db, tokenHash: string): Promise<boolean> {
  const result = await db.deleteFrom('admin_sessions').where('token_hash', '=', tokenHash).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

export async function deleteExpiredAdminSessions(db: Db, now: number): Promise<number> {
  const result = await db.deleteFrom('admin_sessions').where('expires_at', '<=', now).executeTakeFirst();
  return Number(result.numDeletedRows);
}
