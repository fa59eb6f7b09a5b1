import type { Generated, Insertable, Selectable } from 'kysely';

/** An LTI 1.1 tool consumer (an LMS), identified by its OAuth consumer key. */
export interface ConsumersTable {
  id: Generated<number>;
  key: string;
  /** The shared secret, sealed with the secret box (never stored in clear). */
  secret_sealed: string;
  url: string | null;
  created_at: number;
  /** When set, launches from this consumer are refused. */
  disabled_at: number | null;
  /** 1 for the tenant of an LTI 1.3 platform: no LTI 1.1 launches, not listed among consumers. */
  lti13_only: Generated<number>;
}

export type ConsumerRow = Selectable<ConsumersTable>;
export type NewConsumerRow = Insertable<ConsumersTable>;
