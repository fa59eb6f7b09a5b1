import type { Kysely } from 'kysely';
import type { LtiSession } from '../domain/session-token.js';
import type { SecretBox } from '../lib/secret-box.js';
import { LTI13_SERVICES } from '../lti/constants.js';
import { readMemberships } from '../lti/lti13/nrps.js';
import { isLti13ServiceError } from '../lti/lti13/service-errors.js';
import { type ServiceTokenClient, withServiceToken } from '../lti/lti13/service-token.js';
import { isInstructor } from '../lti/roles.js';
import type { Database } from '../store/schema.js';
import type { PlatformRow } from '../store/tables/platforms.js';
import { requireInstructorResource, studentIdsOfResource } from './instructor-resource.js';
import { signingKey } from './signing-key.js';

export interface RosterMember {
  ltiUserId: string;
  name: string | null;
  email: string | null;
  /** Our user, when this person has launched any link of this platform. */
  userId: number | null;
  /** Our user name for them (from a launch), which access changes match on. */
  username: string | null;
  status: 'Active' | 'Inactive' | 'Deleted';
  /** Has opened this exam (or has an attempt at it). */
  launched: boolean;
}

export type RosterAnswer =
  | { available: true; students: RosterMember[]; neverLaunched: RosterMember[] }
  /** Degraded: the course gave no roster service, the scope was not granted, or the platform failed. */
  | { available: false; reason: string; students: []; neverLaunched: [] };

export interface RosterDeps {
  box: SecretBox;
  tokens: ServiceTokenClient;
  instructorRoles: readonly string[];
  timeoutMs: number;
  fetchImpl?: typeof fetch;
}

function unavailable(reason: string): RosterAnswer {
  return { available: false, reason, students: [], neverLaunched: [] };
}

/** The newest names-and-roles URL any LTI 1.3 launch in the exam's course brought, with its platform. */
async function latestRosterService(db: Kysely<Database>, consumerId: number, contextId: number): Promise<{ url: string; platform: PlatformRow } | null> {
  const row = await db
    .selectFrom('launch_services')
    .innerJoin('launches', 'launches.id', 'launch_services.launch_id')
    .innerJoin('platforms', 'platforms.id', 'launch_services.platform_id')
    .selectAll('platforms')
    .select('launch_services.nrps_url')
    .where('launches.consumer_id', '=', consumerId)
    .where('launches.context_id', '=', contextId)
    .where('launch_services.nrps_url', 'is not', null)
    .orderBy('launches.created_at', 'desc')
    .orderBy('launches.id', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (!row || row.nrps_url === null) return null;
  const { nrps_url: url, ...platform } = row;
  return { url, platform };
}

/**
 * The course's students from the platform's Names and Role Provisioning Service (every page),
 * matched with the users we know, and those among them who never opened this exam. Read on
 * demand, never stored. When the course offers no roster, the scope was not granted or the
 * platform fails, the answer says so instead of failing the page that asked.
 */
export async function readRoster(db: Kysely<Database>, session: LtiSession, deps: RosterDeps, now: number): Promise<RosterAnswer> {
  const resourceId = await requireInstructorResource(db, session);
  const resource = await db.selectFrom('resources').select(['context_id', 'consumer_id']).where('id', '=', resourceId).executeTakeFirstOrThrow();
  if (resource.context_id === null) return unavailable('This exam is not in a course, so there is no roster to read.');
  const service = await latestRosterService(db, resource.consumer_id, resource.context_id);
  if (service === null) return unavailable('The course platform has not offered its names and roles service to this tool (LTI 1.3 only).');
  if (service.platform.disabled_at !== null) return unavailable('The course platform has been disabled by the tool administrator.');

  const scopes = [LTI13_SERVICES.scopes.membershipReadOnly];
  let members;
  try {
    const key = await signingKey(db, deps.box, now);
    const membership = await withServiceToken(deps.tokens, service.platform, scopes, key, now, (token) =>
      readMemberships(service.url, {}, { accessToken: token.accessToken, timeoutMs: deps.timeoutMs, ...(deps.fetchImpl ? { fetchImpl: deps.fetchImpl } : {}) }),
    );
    members = membership.members;
  } catch (error) {
    if (isLti13ServiceError(error)) return unavailable(`The course roster could not be read: ${error.description}`);
    throw error;
  }

  const students = members.filter((m) => m.status !== 'Deleted' && !isInstructor(m.roles, deps.instructorRoles));
  const ids = students.map((m) => m.userId);
  const [known, migrated, launchedIds] = await Promise.all([
    ids.length === 0
      ? Promise.resolve([])
      : db.selectFrom('users').select(['id', 'lti_user_id', 'username', 'email']).where('consumer_id', '=', resource.consumer_id).where('lti_user_id', 'in', ids).execute(),
    // Students migrated from LTI 1.1 are kept under their 1.1 id; the roster names them by their 1.3 `sub`.
    ids.length === 0
      ? Promise.resolve([])
      : db
          .selectFrom('launch_services')
          .innerJoin('launches', 'launches.id', 'launch_services.launch_id')
          .innerJoin('users', 'users.id', 'launches.user_id')
          .select(['users.id', 'launch_services.subject', 'users.username', 'users.email'])
          .where('launches.consumer_id', '=', resource.consumer_id)
          .where('launch_services.platform_id', '=', service.platform.id)
          .where('launch_services.subject', 'in', ids)
          .whereRef('launch_services.subject', '<>', 'users.lti_user_id')
          .distinct()
          .execute(),
    db.selectFrom('users').select('id').where('id', 'in', studentIdsOfResource(db, resourceId)).execute(),
  ]);
  const byLtiId = new Map(known.map((u) => [u.lti_user_id, u]));
  for (const m of migrated) if (m.subject !== null) byLtiId.set(m.subject, { id: m.id, lti_user_id: m.subject, username: m.username, email: m.email });
  const launched = new Set(launchedIds.map((r) => r.id));
  const rows = students.map((m): RosterMember => {
    const user = byLtiId.get(m.userId);
    const name = m.name ?? ([m.givenName, m.familyName].filter((p) => p !== null).join(' ') || null);
    return {
      ltiUserId: m.userId,
      name,
      email: m.email ?? user?.email ?? null,
      userId: user?.id ?? null,
      username: user?.username ?? null,
      status: m.status,
      launched: user !== undefined && launched.has(user.id),
    };
  });
  const collator = new Intl.Collator('en', { sensitivity: 'base', numeric: true });
  rows.sort((a, b) => collator.compare(a.name ?? a.email ?? a.ltiUserId, b.name ?? b.email ?? b.ltiUserId));
  return { available: true, students: rows, neverLaunched: rows.filter((r) => !r.launched && r.status === 'Active') };
}
