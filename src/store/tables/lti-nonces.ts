import type { Generated } from 'kysely';

/** OAuth nonces already seen, per consumer, kept until their timestamp could no longer pass. */
export interface LtiNoncesTable {
  id: Generated<number>;
  consumer_id: number;
  nonce: string;
  expires_at: number;
}
