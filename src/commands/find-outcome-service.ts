import type { Kysely } from 'kysely';
import type { SecretBox } from '../lib/secret-box.js';
import { outcomeUrlFor } from '../lti/lti11/outcomes-client.js';
import type { Database } from '../store/schema.js';

/** Where and how to send one student's grade for one resource. */
export interface OutcomeService {
  url: string;
  /** The URL's origin: one LMS, for per-LMS concurrency limits. */
  origin: string;
  sourcedid: string;
  consumerKey: string;
  consumerSecret: string;
  launchId: number;
}

/** A student relaunching many times leaves many rows; a handful is enough to skip a few broken ones. */
const CANDIDATES = 5;

/**
 * The outcome service of the student's latest launch, at any link that opens the resource,
 * that carried a result sourcedid: the standard lis_outcome_service_url, else the
 * Blackboard-style ext_ims_lis_basic_outcome_url. Null when no launch gave one (the link is
 * not graded in the LMS, or the student is not in its gradebook).
 */
export async function findOutcomeService(db: Kysely<Database>, box: SecretBox, resourceId: number, userId: number): Promise<OutcomeService | null> {
  const rows = await db
    .selectFrom('launches')
    .innerJoin('resource_links', 'resource_links.id', 'launches.resource_link_id')
    .innerJoin('consumers', 'consumers.id', 'launches.consumer_id')
    .select([
      'launches.id',
      'launches.outcome_service_url',
      'launches.ext_outcome_url',
      'launches.result_sourcedid',
      'consumers.key as consumer_key',
      'consumers.secret_sealed',
    ])
    .where('launches.user_id', '=', userId)
    .where('resource_links.resource_id', '=', resourceId)
    .where('launches.result_sourcedid', 'is not', null)
    .where('launches.result_sourcedid', '!=', '')
    .orderBy('launches.created_at', 'desc')
    .orderBy('launches.id', 'desc')
    .limit(CANDIDATES)
    .execute();
  for (const row of rows) {
    const url = outcomeUrlFor(row);
    if (url === null || row.result_sourcedid === null) continue;
    return {
      url,
      origin: new URL(url).origin,
      sourcedid: row.result_sourcedid,
      consumerKey: row.consumer_key,
      consumerSecret: box.open(row.secret_sealed),
      launchId: row.id,
    };
  }
  return null;
}
