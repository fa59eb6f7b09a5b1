import type { Kysely } from 'kysely';
import type { LtiSession } from '../domain/session-token.js';
import { DEEP_LINKING_PLACEHOLDER_LIKE } from '../store/repositories/deep-linking-placeholders.js';
import type { Database } from '../store/schema.js';
import { requireDeepLinkingSession } from './deep-linking-session.js';

export interface ContextResource {
  id: number;
  title: string | null;
  packageTitle: string | null;
  hasPackage: boolean;
  /** How many links of the course open it already. */
  links: number;
  updatedAt: string;
}

export interface DeepLinkingChoices {
  context: { title: string | null; label: string | null };
  resources: ContextResource[];
}

/** The exams of the deep linking request's course, newest first, for "choose the exam for this link". */
export async function listContextResources(db: Kysely<Database>, session: LtiSession): Promise<DeepLinkingChoices> {
  const dl = await requireDeepLinkingSession(db, session);
  const [context, rows] = await Promise.all([
    db.selectFrom('contexts').select(['title', 'label']).where('id', '=', dl.contextId).executeTakeFirstOrThrow(),
    db
      .selectFrom('resources')
      .leftJoin('package_versions', 'package_versions.id', 'resources.current_package_version_id')
      .select((eb) => [
        'resources.id',
        'resources.title',
        'resources.updated_at',
        'package_versions.title as package_title',
        'package_versions.id as version_id',
        eb
          .selectFrom('resource_links')
          .select((e) => e.fn.countAll<number | string>().as('n'))
          .whereRef('resource_links.resource_id', '=', 'resources.id')
          .where('resource_links.lti_resource_link_id', 'not like', DEEP_LINKING_PLACEHOLDER_LIKE)
          .as('links'),
      ])
      .where('resources.consumer_id', '=', session.consumerId)
      .where('resources.context_id', '=', dl.contextId)
      .orderBy('resources.updated_at', 'desc')
      .orderBy('resources.id', 'desc')
      .execute(),
  ]);
  return {
    context,
    resources: rows.map((r) => ({
      id: r.id,
      title: r.title,
      packageTitle: r.package_title,
      hasPackage: r.version_id !== null,
      links: Number(r.links ?? 0),
      updatedAt: new Date(r.updated_at).toISOString(),
    })),
  };
}
