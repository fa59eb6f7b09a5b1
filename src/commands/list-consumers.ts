import type { Kysely } from 'kysely';
import { type ConsumerSummary, listConsumers as listRows } from '../store/repositories/consumers.js';
import type { Database } from '../store/schema.js';

export interface ConsumerListing {
  key: string;
  url: string | null;
  createdAt: number;
  disabled: boolean;
  resourceLinks: number;
  users: number;
}

function present(row: ConsumerSummary): ConsumerListing {
  return { key: row.key, url: row.url, createdAt: row.created_at, disabled: row.disabled_at !== null, resourceLinks: row.resource_link_count, users: row.user_count };
}

export async function listConsumers(db: Kysely<Database>): Promise<ConsumerListing[]> {
  return (await listRows(db)).map(present);
}
