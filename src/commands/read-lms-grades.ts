import type { Kysely } from 'kysely';
import type { SecretBox } from '../lib/secret-box.js';
import { LTI13_SERVICES } from '../lti/constants.js';
import { type AgsResult, readResults } from '../lti/lti13/ags.js';
import { isLti13ServiceError } from '../lti/lti13/service-errors.js';
import { type ServiceTokenClient, withServiceToken } from '../lti/lti13/service-token.js';
import { grantedScopes } from '../store/repositories/lti13-launch-records.js';
import type { Database } from '../store/schema.js';
import type { PlatformRow } from '../store/tables/platforms.js';
import { agsTokenClient, agsTokenScopes } from './send-ags-score.js';
import { signingKey } from './signing-key.js';

/** A student's cell in the LMS gradebook, scaled 0..1 like our grades. */
export interface LmsGrade {
  score: number | null;
}

export type LmsGrades =
  | { available: true; byUserId: Map<number, LmsGrade> }
  /** The exam is not graded through AGS, the result scope was not granted, or the platform failed. */
  | { available: false; reason: string };

export interface LmsGradesDeps {
  box: SecretBox;
  timeoutMs: number;
  tokens?: ServiceTokenClient;
  fetchImpl?: typeof fetch;
}

interface ResultService {
  platform: PlatformRow;
  scopes: string[];
  /** Each student's line item: their latest launch's claim, else the one we recorded for (resource, platform). */
  lineItemOf: Map<number, string>;
  /** Each student's AGS userId (their latest launch's `sub`), where it was recorded. */
  subjectOf: Map<number, string>;
}

/** Line items read per dashboard view at most (normally one: every launch of a link names the same column). */
const MAX_LINE_ITEMS = 5;

/**
 * The platform of the newest LTI 1.3 launch at the resource that granted result.readonly, and
 * for each student who launched from it the line item their own latest launch points at.
 */
async function resultService(db: Kysely<Database>, resourceId: number): Promise<ResultService | string> {
  const launches = await db
    .selectFrom('launch_services')
    .innerJoin('launches', 'launches.id', 'launch_services.launch_id')
    .innerJoin('resource_links', 'resource_links.id', 'launches.resource_link_id')
    .select(['launches.user_id', 'launch_services.platform_id', 'launch_services.ags_lineitem_url', 'launch_services.ags_scopes', 'launch_services.subject'])
    .where('resource_links.resource_id', '=', resourceId)
    .where('launch_services.ags_scopes', 'like', `%${LTI13_SERVICES.scopes.resultReadOnly}%`)
    .orderBy('launches.created_at', 'desc')
    .orderBy('launches.id', 'desc')
    .execute();
  const newest = launches[0];
  if (newest === undefined) return 'No LTI 1.3 launch of this exam granted the AGS result scope.';
  const platform = await db.selectFrom('platforms').selectAll().where('id', '=', newest.platform_id).executeTakeFirstOrThrow();
  if (platform.disabled_at !== null) return 'The course platform has been disabled by the tool administrator.';
  const recorded =
    (await db.selectFrom('line_items').select('lineitem_url').where('resource_id', '=', resourceId).where('platform_id', '=', platform.id).executeTakeFirst())?.lineitem_url ??
    null;
  const lineItemOf = new Map<number, string>();
  const subjectOf = new Map<number, string>();
  const seen = new Set<number>();
  for (const launch of launches) {
    if (launch.platform_id !== platform.id || seen.has(launch.user_id)) continue;
    seen.add(launch.user_id);
    const url = launch.ags_lineitem_url ?? recorded;
    if (url !== null) lineItemOf.set(launch.user_id, url);
    if (launch.subject !== null) subjectOf.set(launch.user_id, launch.subject);
  }
  if (lineItemOf.size === 0) return 'The LMS has no gradebook column for this exam yet (none was named in a launch, and none was created by a send).';
  return { platform, lineItemOf, subjectOf, scopes: grantedScopes(newest.ags_scopes) };
}

/**
 * "Grade in the LMS": the results of the exam's line item, read on demand with AGS (every
 * page) and matched to our users of the platform's tenant. Degrades with a reason instead of
 * failing the page that asked.
 */
export async function readLmsGrades(db: Kysely<Database>, resourceId: number, deps: LmsGradesDeps, now: number): Promise<LmsGrades> {
  const service = await resultService(db, resourceId);
  if (typeof service === 'string') return { available: false, reason: service };
  const lineItems = [...new Set(service.lineItemOf.values())].slice(0, MAX_LINE_ITEMS);
  const resultsOf = new Map<string, AgsResult[]>();
  try {
    const key = await signingKey(db, deps.box, now);
    const tokens = deps.tokens ?? agsTokenClient(deps.timeoutMs);
    for (const url of lineItems) {
      const results = await withServiceToken(tokens, service.platform, agsTokenScopes(service.scopes), key, now, (token) =>
        readResults(url, {}, { accessToken: token.accessToken, timeoutMs: deps.timeoutMs, ...(deps.fetchImpl ? { fetchImpl: deps.fetchImpl } : {}) }),
      );
      resultsOf.set(url, results);
    }
  } catch (error) {
    if (isLti13ServiceError(error)) return { available: false, reason: `The LMS gradebook could not be read: ${error.description}` };
    throw error;
  }
  const users = await db
    .selectFrom('users')
    .select(['id', 'lti_user_id'])
    .where('id', 'in', [...service.lineItemOf.keys()])
    .execute();
  const byUserId = new Map<number, LmsGrade>();
  for (const user of users) {
    const url = service.lineItemOf.get(user.id);
    // The platform knows a student migrated from LTI 1.1 by their 1.3 `sub`, not the 1.1 id we keep them under.
    const agsUserId = service.subjectOf.get(user.id) ?? user.lti_user_id;
    const result = url === undefined ? undefined : resultsOf.get(url)?.find((r) => r.userId === agsUserId);
    if (result === undefined) continue;
    const score = result.resultScore === null || result.resultMaximum <= 0 ? null : result.resultScore / result.resultMaximum;
    byUserId.set(user.id, { score });
  }
  return { available: true, byUserId };
}
