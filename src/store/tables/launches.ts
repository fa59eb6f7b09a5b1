import type { Generated, Selectable } from 'kysely';

export type LaunchRole = 'instructor' | 'student';

/** One accepted launch. Grade passback uses the outcome fields of a user's latest launch. */
export interface LaunchesTable {
  id: Generated<number>;
  consumer_id: number;
  user_id: number;
  resource_link_id: number;
  context_id: number | null;
  role: LaunchRole;
  /** The roles exactly as the LMS sent them. */
  roles_raw: string;
  lti_version: string;
  user_agent: string | null;
  outcome_service_url: string | null;
  result_sourcedid: string | null;
  /** Blackboard-style outcomes extension URL, used when the standard one is absent. */
  ext_outcome_url: string | null;
  return_url: string | null;
  locale: string | null;
  created_at: number;
}

export type LaunchRow = Selectable<LaunchesTable>;
