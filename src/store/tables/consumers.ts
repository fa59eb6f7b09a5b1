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
}

export type ConsumerRow = Selectable<ConsumersTable>;
export type NewConsumerRow = Insertable<ConsumersTable>;
