import type { Insertable, Kysely } from 'kysely';
import type { Database } from '../schema.js';
import type { LaunchesTable } from '../tables/launches.js';

type Db = Kysely<Database>;

/**
 * Upserts of the user, context and resource link a launch names, each scoped to its
 * consumer by a unique (consumer_id, lti id) key, so equal ids from two LMSs never meet.
 * Each is one round trip: INSERT … ON CONFLICT DO UPDATE … RETURNING id.
 */
export async function upsertUser(
  db: Db,
  consumerId: number,
  ltiUserId: string,
  person: { given: string | null; family: string | null; full: string | null; email: string | null; username: string | null },
  now: number,
): Promise<number> {
  const row = await db
    .insertInto('users')
    .values({
      consumer_id: consumerId,
      lti_user_id: ltiUserId,
      name_given: person.given,
      name_family: person.family,
      name_full: person.full,
      email: person.email,
      username: person.username,
      created_at: now,
      updated_at: now,
    })
    .onConflict((oc) =>
      oc.columns(['consumer_id', 'lti_user_id']).doUpdateSet((eb) => ({
        // An LMS may omit personal data on some launches: keep what we knew rather than erase it.
        name_given: eb.fn.coalesce(eb.ref('excluded.name_given'), eb.ref('users.name_given')),
        name_family: eb.fn.coalesce(eb.ref('excluded.name_family'), eb.ref('users.name_family')),
        name_full: eb.fn.coalesce(eb.ref('excluded.name_full'), eb.ref('users.name_full')),
        email: eb.fn.coalesce(eb.ref('excluded.email'), eb.ref('users.email')),
        username: eb.fn.coalesce(eb.ref('excluded.username'), eb.ref('users.username')),
        updated_at: now,
      })),
    )
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function upsertContext(
  db: Db,
  consumerId: number,
  context: { id: string; title: string | null; label: string | null; type: string | null },
  now: number,
): Promise<number> {
  const row = await db
    .insertInto('contexts')
    .values({ consumer_id: consumerId, lti_context_id: context.id, title: context.title, label: context.label, context_type: context.type, created_at: now, updated_at: now })
    .onConflict((oc) =>
      oc.columns(['consumer_id', 'lti_context_id']).doUpdateSet((eb) => ({
        title: eb.fn.coalesce(eb.ref('excluded.title'), eb.ref('contexts.title')),
        label: eb.fn.coalesce(eb.ref('excluded.label'), eb.ref('contexts.label')),
        context_type: eb.fn.coalesce(eb.ref('excluded.context_type'), eb.ref('contexts.context_type')),
        updated_at: now,
      })),
    )
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function upsertResourceLink(
  db: Db,
  consumerId: number,
  contextId: number | null,
  link: { id: string; title: string | null; description: string | null },
  now: number,
): Promise<number> {
  const row = await db
    .insertInto('resource_links')
    .values({ consumer_id: consumerId, context_id: contextId, lti_resource_link_id: link.id, title: link.title, description: link.description, created_at: now, updated_at: now })
    .onConflict((oc) =>
      oc.columns(['consumer_id', 'lti_resource_link_id']).doUpdateSet((eb) => ({
        context_id: eb.fn.coalesce(eb.ref('excluded.context_id'), eb.ref('resource_links.context_id')),
        title: eb.fn.coalesce(eb.ref('excluded.title'), eb.ref('resource_links.title')),
        description: eb.fn.coalesce(eb.ref('excluded.description'), eb.ref('resource_links.description')),
        updated_at: now,
      })),
    )
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** A launch row as inserted: every column but the generated id. */
export type NewLaunch = Insertable<LaunchesTable>;

export async function insertLaunch(db: Db, launch: NewLaunch): Promise<number> {
  const row = await db.insertInto('launches').values(launch).returning('id').executeTakeFirstOrThrow();
  return row.id;
}
