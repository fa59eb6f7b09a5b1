import type { Insertable, Kysely } from 'kysely';
import type { Database } from '../schema.js';
import { DEEP_LINKING_PLACEHOLDER_LIKE } from './deep-linking-placeholders.js';
import type { PlatformDeploymentRow, PlatformRow, PlatformsTable } from '../tables/platforms.js';

type Db = Kysely<Database>;

export type NewPlatformRow = Insertable<PlatformsTable>;

export async function insertPlatform(db: Db, row: NewPlatformRow): Promise<PlatformRow> {
  return db.insertInto('platforms').values(row).returningAll().executeTakeFirstOrThrow();
}

export async function findPlatformById(db: Db, id: number): Promise<PlatformRow | undefined> {
  return db.selectFrom('platforms').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function findPlatformByIssuerAndClient(db: Db, issuer: string, clientId: string): Promise<PlatformRow | undefined> {
  return db.selectFrom('platforms').selectAll().where('issuer', '=', issuer).where('client_id', '=', clientId).executeTakeFirst();
}

/**
 * The registrations of an issuer among the given client ids (a launch's `aud`, which may name
 * several). Several platforms may share an issuer (cloud LMSs), so the client id tells them apart.
 */
export async function findPlatformsByIssuer(db: Db, issuer: string, clientIds: readonly string[]): Promise<PlatformRow[]> {
  if (clientIds.length === 0) return [];
  return db.selectFrom('platforms').selectAll().where('issuer', '=', issuer).where('client_id', 'in', [...clientIds]).orderBy('id').execute();
}

export interface PlatformSummary extends PlatformRow {
  resource_link_count: number;
  user_count: number;
}

export async function listPlatforms(db: Db): Promise<PlatformSummary[]> {
  const rows = await db
    .selectFrom('platforms')
    .selectAll('platforms')
    .select((eb) => [
      eb
        .selectFrom('resource_links')
        .whereRef('resource_links.consumer_id', '=', 'platforms.consumer_id')
        .where('resource_links.lti_resource_link_id', 'not like', DEEP_LINKING_PLACEHOLDER_LIKE)
        .select(eb.fn.countAll<number>().as('n'))
        .as('resource_link_count'),
      eb.selectFrom('users').whereRef('users.consumer_id', '=', 'platforms.consumer_id').select(eb.fn.countAll<number>().as('n')).as('user_count'),
    ])
    .orderBy('platforms.issuer')
    .orderBy('platforms.client_id')
    .execute();
  // PostgreSQL counts come back as bigint; both dialects present plain numbers to callers.
  return rows.map((r) => ({ ...r, resource_link_count: Number(r.resource_link_count ?? 0), user_count: Number(r.user_count ?? 0) }));
}

export async function setPlatformDisabled(db: Db, id: number, disabledAt: number | null): Promise<boolean> {
  const result = await db.updateTable('platforms').set({ disabled_at: disabledAt }).where('id', '=', id).executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Removes the platform row; its deployments, nonces, launch services and line items go with it (ON DELETE CASCADE). */
export async function deletePlatformRow(db: Db, id: number): Promise<boolean> {
  const result = await db.deleteFrom('platforms').where('id', '=', id).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

/** How many platforms use a tenant: a tenant is removed only with its last platform. */
export async function countPlatformsOfConsumer(db: Db, consumerId: number): Promise<number> {
  const row = await db.selectFrom('platforms').select((eb) => eb.fn.countAll<number>().as('n')).where('consumer_id', '=', consumerId).executeTakeFirst();
  return Number(row?.n ?? 0);
}

/** Records a deployment; false when the platform already had it (the unique constraint decides). */
export async function insertDeployment(db: Db, platformId: number, deploymentId: string, now: number): Promise<boolean> {
  const inserted = await db
    .insertInto('platform_deployments')
    .values({ platform_id: platformId, deployment_id: deploymentId, created_at: now })
    .onConflict((oc) => oc.columns(['platform_id', 'deployment_id']).doNothing())
    .returning('id')
    .executeTakeFirst();
  return inserted !== undefined;
}

export async function hasDeployment(db: Db, platformId: number, deploymentId: string): Promise<boolean> {
  const row = await db.selectFrom('platform_deployments').select('id').where('platform_id', '=', platformId).where('deployment_id', '=', deploymentId).executeTakeFirst();
  return row !== undefined;
}

/** Deployments of the given platforms (all platforms when no ids are given), oldest first. */
export async function listDeployments(db: Db, platformIds?: readonly number[]): Promise<PlatformDeploymentRow[]> {
  if (platformIds !== undefined && platformIds.length === 0) return [];
  let query = db.selectFrom('platform_deployments').selectAll();
  if (platformIds !== undefined) query = query.where('platform_id', 'in', [...platformIds]);
  return query.orderBy('platform_id').orderBy('id').execute();
}
