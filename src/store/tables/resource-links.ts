import type { Generated, Selectable } from 'kysely';

/** A link placed in an LMS course; an exam resource hangs off it. */
export interface ResourceLinksTable {
  id: Generated<number>;
  consumer_id: number;
  /** Null when the consumer sent no context_id. */
  context_id: number | null;
  lti_resource_link_id: string;
  title: string | null;
  description: string | null;
  /** The exam this link opens; null until an instructor chooses one. */
  resource_id: number | null;
  created_at: number;
  updated_at: number;
}

export type ResourceLinkRow = Selectable<ResourceLinksTable>;
