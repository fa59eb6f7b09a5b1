import type { Kysely } from 'kysely';
import type { SecretBox } from '../lib/secret-box.js';
import { LTI13_SERVICES } from '../lti/constants.js';
import { grantedScopes, latestLaunchServices } from '../store/repositories/lti13-launch-records.js';
import type { Database } from '../store/schema.js';
import type { PlatformRow } from '../store/tables/platforms.js';
import { type OutcomeService, findOutcomeService } from './find-outcome-service.js';

const SCOPES = LTI13_SERVICES.scopes;

/** Where an LTI 1.3 student's score goes: the platform's Assignment and Grade Services. */
export interface AgsService {
  platform: PlatformRow;
  launchId: number;
  /** The launch claim's line item, else the one we recorded for (resource, platform); null when it must be found or created. */
  lineItemUrl: string | null;
  /** True when lineItemUrl came from our line_items record (not from the claim). */
  lineItemRecorded: boolean;
  /** The context's line items container, to find or create our line item in. */
  lineItemsUrl: string | null;
  /** The AGS scopes the launch claim granted. */
  scopes: string[];
  /** The AGS userId: the launch's `sub` (not the LTI 1.1 id a migrated launch is recorded under). */
  ltiUserId: string;
  /** One platform's AGS endpoints, for the per-LMS limit and the job's target. */
  origin: string;
  resourceId: number;
  resourceTitle: string;
}

export type GradeService =
  | { kind: 'lti11'; service: OutcomeService }
  | { kind: 'ags'; service: AgsService }
  /** No way to send. `reason` says why when it is worth an audit row (an LTI 1.3 launch that lacks something). */
  | { kind: 'none'; reason: string | null };

function originOf(url: string | null): string | null {
  if (url === null) return null;
  try {
    return new URL(url).origin;
  } catch {
    return null;
  }
}

/**
 * How to send one student's grade for a resource. The student's latest launch at any link of
 * the resource decides the protocol: an LTI 1.3 launch (it has a launch_services row) sends
 * through AGS when its claim granted the score scope; any other launch keeps the LTI 1.1
 * Basic Outcomes path (the latest launch that carried a result sourcedid).
 */
export async function findGradeService(db: Kysely<Database>, box: SecretBox, resourceId: number, userId: number): Promise<GradeService> {
  const latest = await latestLaunchServices(db, resourceId, userId);
  if (latest === undefined || latest.platform_id === null) {
    const service = await findOutcomeService(db, box, resourceId, userId);
    return service === null ? { kind: 'none', reason: null } : { kind: 'lti11', service };
  }

  const scopes = grantedScopes(latest.ags_scopes);
  if (latest.ags_lineitem_url === null && latest.ags_lineitems_url === null) {
    return { kind: 'none', reason: "The student's latest launch (LTI 1.3) carried no Assignment and Grade Services claim: the link is not graded in the LMS." };
  }
  if (!scopes.includes(SCOPES.score)) {
    return {
      kind: 'none',
      reason: `The platform did not grant the AGS score scope in the student's latest launch (granted: ${scopes.length > 0 ? scopes.join(' ') : 'none'}), so no grade can be sent.`,
    };
  }
  const [platform, user, resource, recorded] = await Promise.all([
    db.selectFrom('platforms').selectAll().where('id', '=', latest.platform_id).executeTakeFirst(),
    db.selectFrom('users').select('lti_user_id').where('id', '=', userId).executeTakeFirstOrThrow(),
    db.selectFrom('resources').select('title').where('id', '=', resourceId).executeTakeFirstOrThrow(),
    latest.ags_lineitem_url === null
      ? db.selectFrom('line_items').select('lineitem_url').where('resource_id', '=', resourceId).where('platform_id', '=', latest.platform_id).executeTakeFirst()
      : Promise.resolve(undefined),
  ]);
  if (platform === undefined) return { kind: 'none', reason: 'The platform of the student\'s latest launch is no longer registered.' };
  if (platform.disabled_at !== null) return { kind: 'none', reason: 'The platform of the student\'s latest launch has been disabled by the tool administrator.' };
  const lineItemUrl = latest.ags_lineitem_url ?? recorded?.lineitem_url ?? null;
  const origin = originOf(lineItemUrl) ?? originOf(latest.ags_lineitems_url);
  if (origin === null) return { kind: 'none', reason: 'The launch named AGS endpoints that are not valid URLs.' };
  return {
    kind: 'ags',
    service: {
      platform,
      launchId: latest.id,
      lineItemUrl,
      lineItemRecorded: latest.ags_lineitem_url === null && recorded !== undefined,
      lineItemsUrl: latest.ags_lineitems_url,
      scopes,
      // Launches recorded before the subject was kept were recorded under their `sub`.
      ltiUserId: latest.subject ?? user.lti_user_id,
      origin,
      resourceId,
      resourceTitle: resource.title ?? `Exam ${resourceId}`,
    },
  };
}
