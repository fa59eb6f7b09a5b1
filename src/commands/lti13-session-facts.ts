import type { Kysely } from 'kysely';
import { type LtiSession, sessionMessage } from '../domain/session-token.js';
import { AppError } from '../lib/errors.js';
import type { Database } from '../store/schema.js';
import type { PlatformRow } from '../store/tables/platforms.js';

/** The deep linking request's return URL and opaque data, from the signed session. */
export function sessionDeepLinking(session: LtiSession): { returnUrl: string; data: string | null } | null {
  return sessionMessage(session) === 'deep-linking' ? (session.deepLinking ?? null) : null;
}

export interface LaunchServiceFacts {
  contextId: number | null;
  platform: PlatformRow;
  deploymentId: string;
  nrpsUrl: string | null;
}

/** The platform, deployment and course of the session's LTI 1.3 launch (launch_services). */
export async function launchServiceFacts(db: Kysely<Database>, session: LtiSession): Promise<LaunchServiceFacts> {
  const row = await db
    .selectFrom('launches')
    .innerJoin('launch_services', 'launch_services.launch_id', 'launches.id')
    .innerJoin('platforms', 'platforms.id', 'launch_services.platform_id')
    .selectAll('platforms')
    .select(['launches.context_id as launch_context_id', 'launch_services.deployment_id', 'launch_services.nrps_url'])
    .where('launches.id', '=', session.launchId)
    .where('launches.consumer_id', '=', session.consumerId)
    .where('launches.user_id', '=', session.userId)
    .executeTakeFirst();
  if (!row) throw new AppError('conflict', 'This session did not come from an LTI 1.3 launch; open the link from your course again.');
  const { launch_context_id: contextId, deployment_id: deploymentId, nrps_url: nrpsUrl, ...platform } = row;
  return { contextId, platform, deploymentId, nrpsUrl };
}
