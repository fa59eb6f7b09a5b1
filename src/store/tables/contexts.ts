import type { Generated, Selectable } from 'kysely';

/** A course (or other context) of one consumer. */
export interface ContextsTable {
  id: Generated<number>;
  consumer_id: number;
  lti_context_id: string;
  title: string | null;
  label: string | null;
  context_type: string | null;
  created_at: number;
  updated_at: number;
}

export type ContextRow = Selectable<ContextsTable>;
