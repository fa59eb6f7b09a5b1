import type { Generated, Selectable } from 'kysely';

export interface AdminsTable {
  id: Generated<number>;
  username: string;
  /** scrypt hash in the form "scrypt$N$r$p$salt$hash". */
  password_hash: string;
  created_at: number;
}

/** Admin login sessions: the cookie holds a random token, the table holds its SHA-256. */
export interface AdminSessionsTable {
  id: Generated<number>;
  admin_id: number;
  token_hash: string;
  created_at: number;
  expires_at: number;
}

export type AdminRow = Selectable<AdminsTable>;
