import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../store/schema.js';

/** The custom parameter a deep-linked item carries: our resource id, as a decimal string. */
export const RESOURCE_ID_CUSTOM = 'resource_id';

export interface BindLinkInput {
  consumerId: number;
  /** Our contexts.id of the launch; null when the launch had no context (then nothing is bound). */
  contextId: number | null;
  resourceLinkId: number;
  /** The launch's custom `resource_id`, as the platform sent it back (untrusted text). */
  customResourceId: string | null | undefined;
}

/**
 * A link made by deep linking comes back on its first launch with custom `resource_id`: the
 * resource the instructor chose. The link is bound to it only when it is not bound yet and the
 * resource belongs to the same tenant and the same course. Custom parameters can be edited in
 * an LMS, so anything else (another course's id, garbage, a link already bound) is ignored and
 * the link stays as it was. Returns the resource id bound, or null.
 */
export async function bindLinkToResource(trx: Transaction<Database> | Kysely<Database>, input: BindLinkInput): Promise<number | null> {
  const raw = input.customResourceId?.trim() ?? '';
  if (input.contextId === null || !/^\d{1,15}$/.test(raw)) return null;
  const resourceId = Number(raw);
  const resource = await trx
    .selectFrom('resources')
    .select('id')
    .where('id', '=', resourceId)
    .where('consumer_id', '=', input.consumerId)
    .where('context_id', '=', input.contextId)
    .executeTakeFirst();
  if (!resource) return null;
  const result = await trx
    .updateTable('resource_links')
    .set({ resource_id: resourceId })
    .where('id', '=', input.resourceLinkId)
    .where('consumer_id', '=', input.consumerId)
    .where('resource_id', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0 ? resourceId : null;
}
