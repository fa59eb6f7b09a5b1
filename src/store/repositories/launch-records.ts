import type { Insertable, Kysely } from 'kysely';
import type { Database } from '../schema.js';
import type { LaunchesTable } from '../tables/launches.js';

type Db = Kysely<Database>;

/**
 * Upserts of the user, context and resource link a launch names, each scoped to its
 * consumer by a unique (consumer_id, lti id) key, so equal ids from two LMSs never meet.
 * The user's is one round trip: INSERT … ON CONFLICT DO UPDATE … RETURNING id. The context's
 * and the link's read first and write only when the launch brings something new (unchanged).
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

/**
 * Whether an upsert would change nothing: every value is absent (kept) or already stored.
 * A whole class launches into the same context and link at once, and an upsert locks its
 * row until the launch commits even when it changes nothing: on PostgreSQL those launches
 * queued behind one another on the row lock. A read takes no lock.
 */
function unchanged<T extends object>(stored: T | undefined, incoming: { [K in keyof T]?: T[K] | null }): stored is T {
  if (!stored) return false;
  return (Object.keys(incoming) as Array<keyof T>).every((k) => incoming[k] === null || incoming[k] === undefined || incoming[k] === stored[k]);
}

export async function upsertContext(
  db: Db,
  consumerId: number,
  context: { id: string; title: string | null; label: string | null; type: string | null },
  now: number,
): Promise<number> {
  const stored = await db
    .selectFrom('contexts')
    .select(['id', 'title', 'label', 'context_type'])
    .where('consumer_id', '=', consumerId)
    .where('lti_context_id', '=', context.id)
    .executeTakeFirst();
  if (unchanged(stored, { title: context.title, label: context.label, context_type: context.type })) return stored.id;
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
  const stored = await db
    .selectFrom('resource_links')
    .select(['id', 'context_id', 'title', 'description'])
    .where('consumer_id', '=', consumerId)
    .where('lti_resource_link_id', '=', link.id)
    .executeTakeFirst();
  if (unchanged(stored, { context_id: contextId, title: link.title, description: link.description })) return stored.id;
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
