import type { Insertable, Kysely } from 'kysely';
import type { Database } from '../schema.js';
import type { LaunchServicesTable } from '../tables/platforms.js';

type Db = Kysely<Database>;

/** What an LTI 1.3 launch brought besides identity: its deployment and service endpoints. */
export async function insertLaunchServices(db: Db, row: Insertable<LaunchServicesTable>): Promise<void> {
  await db.insertInto('launch_services').values(row).execute();
}

/**
 * A student's latest launch at any link of a resource, with the LTI 1.3 services it brought
 * (all null for an LTI 1.1 launch): the latest launch decides where grades and statuses go.
 */
export async function latestLaunchServices(db: Db, resourceId: number, userId: number) {
  return db
    .selectFrom('launches')
    .innerJoin('resource_links', 'resource_links.id', 'launches.resource_link_id')
    .leftJoin('launch_services', 'launch_services.launch_id', 'launches.id')
    .select(['launches.id', 'launch_services.platform_id', 'launch_services.ags_lineitem_url', 'launch_services.ags_lineitems_url', 'launch_services.ags_scopes', 'launch_services.subject'])
    .where('launches.user_id', '=', userId)
    .where('resource_links.resource_id', '=', resourceId)
    .orderBy('launches.created_at', 'desc')
    .orderBy('launches.id', 'desc')
    .limit(1)
    .executeTakeFirst();
}

/** The AGS scopes a launch granted, from the space-separated column. */
export function grantedScopes(agsScopes: string | null): string[] {
  return (agsScopes ?? '').split(/\s+/).filter((s) => s !== '');
}

/** True when the nonce is on record and unexpired: a replay, refused before anything is written. */
export async function lti13NonceSeen(db: Db, platformId: number, nonce: string, now: number): Promise<boolean> {
  const row = await db
    .selectFrom('lti13_nonces')
    .select('nonce')
    .where('platform_id', '=', platformId)
    .where('nonce', '=', nonce)
    .where('expires_at', '>', now)
    .executeTakeFirst();
  return row !== undefined;
}

/** The link of a tenant by its LTI id, with the resource it opens. */
export async function findLinkByLtiId(db: Db, consumerId: number, ltiResourceLinkId: string): Promise<{ id: number; resource_id: number | null } | undefined> {
  return db
    .selectFrom('resource_links')
    .select(['id', 'resource_id'])
    .where('consumer_id', '=', consumerId)
    .where('lti_resource_link_id', '=', ltiResourceLinkId)
    .executeTakeFirst();
}

/**
 * The resource of the first ancestor link (in the order given: the most recent copy first)
 * that this tenant knows and that opens one.
 */
export async function findAncestorResource(db: Db, consumerId: number, ancestorLinkIds: readonly string[]): Promise<number | null> {
  if (ancestorLinkIds.length === 0) return null;
  const rows = await db
    .selectFrom('resource_links')
    .select(['lti_resource_link_id', 'resource_id'])
    .where('consumer_id', '=', consumerId)
    .where('lti_resource_link_id', 'in', [...ancestorLinkIds])
    .where('resource_id', 'is not', null)
    .execute();
  for (const id of ancestorLinkIds) {
    const found = rows.find((r) => r.lti_resource_link_id === id);
    if (found?.resource_id != null) return found.resource_id;
  }
  return null;
}

/** Points a link that opens nothing yet at a resource (a copied course's link at its ancestor's exam). */
export async function adoptResource(db: Db, linkId: number, resourceId: number, now: number): Promise<void> {
  await db.updateTable('resource_links').set({ resource_id: resourceId, updated_at: now }).where('id', '=', linkId).where('resource_id', 'is', null).execute();
}

/** Every registration of an issuer (a login without client_id may still name a lone one). */
export async function findPlatformsOfIssuer(db: Db, issuer: string) {
  return db.selectFrom('platforms').selectAll().where('issuer', '=', issuer).orderBy('id').execute();
}
