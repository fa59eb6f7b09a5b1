import type { Generated, Selectable } from 'kysely';

/** One extra attempt for one student at one resource. Revoking deletes it; attempts already started stay. */
export interface AccessTokensTable {
  id: Generated<number>;
  resource_id: number;
  user_id: number;
  created_by_user_id: number | null;
  created_at: number;
}

export type AccessDurationMode = 'none' | 'minutes' | 'percent' | 'disable';

/** A per-student override of a resource's rules, applied to the users its targets name. */
export interface AccessChangesTable {
  id: Generated<number>;
  resource_id: number;
  description: string;
  available_from: number | null;
  available_until: number | null;
  extend_deadline_minutes: number | null;
  max_attempts: number | null;
  duration_mode: AccessDurationMode;
  duration_amount: number | null;
  created_by_user_id: number | null;
  created_at: number;
}

/** Whom an access change applies to: usernames or email addresses as the LMS sent them. */
export interface AccessChangeTargetsTable {
  access_change_id: number;
  kind: 'username' | 'email';
  value: string;
}

export type AccessTokenRow = Selectable<AccessTokensTable>;
export type AccessChangeRow = Selectable<AccessChangesTable>;
export type AccessChangeTargetRow = Selectable<AccessChangeTargetsTable>;
