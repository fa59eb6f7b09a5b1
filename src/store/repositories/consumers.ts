import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';
import { DEEP_LINKING_PLACEHOLDER_LIKE } from './deep-linking-placeholders.js';
import type { ConsumerRow, NewConsumerRow } from '../tables/consumers.js';

type Db = Kysely<Database>;

export async function findConsumerByKey(db: Db, key: string): Promise<ConsumerRow | undefined> {
  return db.selectFrom('consumers').selectAll().where('key', '=', key).executeTakeFirst();
}

export async function insertConsumer(db: Db, row: NewConsumerRow): Promise<ConsumerRow> {
  return db.insertInto('consumers').values(row).returningAll().executeTakeFirstOrThrow();
}

export interface ConsumerSummary extends ConsumerRow {
  resource_link_count: number;
  user_count: number;
}

export async function listConsumers(db: Db): Promise<ConsumerSummary[]> {
  const rows = await db
    .selectFrom('consumers')
    .selectAll('consumers')
    .select((eb) => [
      eb
        .selectFrom('resource_links')
        .whereRef('resource_links.consumer_id', '=', 'consumers.id')
        .where('resource_links.lti_resource_link_id', 'not like', DEEP_LINKING_PLACEHOLDER_LIKE)
        .select(eb.fn.countAll<number>().as('n'))
        .as('resource_link_count'),
      eb.selectFrom('users').whereRef('users.consumer_id', '=', 'consumers.id').select(eb.fn.countAll<number>().as('n')).as('user_count'),
    ])
    // LTI 1.3 platform tenants are managed as platforms, not as consumers.
    .where('consumers.lti13_only', '=', 0)
    .orderBy('consumers.key')
    .execute();
  // PostgreSQL counts come back as bigint; both dialects present plain numbers to callers.
  return rows.map((r) => ({ ...r, resource_link_count: Number(r.resource_link_count ?? 0), user_count: Number(r.user_count ?? 0) }));
}

export async function setConsumerDisabled(db: Db, key: string, disabledAt: number | null): Promise<boolean> {
  const result = await db.updateTable('consumers').set({ disabled_at: disabledAt }).where('key', '=', key).where('lti13_only', '=', 0).executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Removes the consumer and, through ON DELETE CASCADE, everything recorded under it. Platform tenants go with their platform instead. */
export async function deleteConsumer(db: Db, key: string): Promise<boolean> {
  const result = await db.deleteFrom('consumers').where('key', '=', key).where('lti13_only', '=', 0).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}
