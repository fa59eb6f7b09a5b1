import type { Generated, Selectable } from 'kysely';

/** A person as one consumer knows them. The same LMS user id from two consumers is two users. */
export interface UsersTable {
  id: Generated<number>;
  consumer_id: number;
  lti_user_id: string;
  name_given: string | null;
  name_family: string | null;
  name_full: string | null;
  email: string | null;
  /** What the LMS calls the person's username (lis_person_sourcedid or ext_user_username). */
  username: string | null;
  created_at: number;
  updated_at: number;
}

export type UserRow = Selectable<UsersTable>;
