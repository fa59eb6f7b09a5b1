import { createHmac, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { issueContentGrant } from '../domain/content-grant.js';
import type { LtiSession } from '../domain/session-token.js';
import { AppError } from '../lib/errors.js';
import { readValues } from '../store/repositories/attempt-data.js';
import type { Database } from '../store/schema.js';
import type { PackageVersionRow } from '../store/tables/packages.js';
import { requireAttemptAccess, requireInstructor, resourceIdOfSession } from './resource-access.js';

export type PlayerMode = 'normal' | 'review';

export interface PlayerLaunch {
  attempt: { id: number; testRun: boolean };
  mode: PlayerMode;
  scormVersion: '1.2' | '2004';
  contentUrl: string;
  sessionId: string;
  values: Record<string, string>;
  runtime: {
    entry: 'ab-initio' | 'resume' | '';
    learnerId: string;
    learnerName: string;
    launchData: string;
    maxTimeAllowed: string | null;
    numbas: Record<string, string>;
  };
}

export interface LaunchKeys {
  grantKey: Buffer;
  grantTtlSeconds: number;
}

function contentUrl(keys: LaunchKeys, version: PackageVersionRow, attemptId: number | null, role: LtiSession['role'], now: number): string {
  const grant = issueContentGrant(
    keys.grantKey,
    { packageVersionId: version.id, sha256: version.sha256, attemptId, role, numbas: version.numbas_version !== null },
    now,
    keys.grantTtlSeconds,
  );
  const path = version.launch_path.split('/').map(encodeURIComponent).join('/');
  return `/content/${grant}/${path}${version.launch_query ? `?${version.launch_query}` : ''}`;
}

async function learner(db: Kysely<Database>, userId: number): Promise<{ id: string; name: string }> {
  const user = await db.selectFrom('users').selectAll().where('id', '=', userId).executeTakeFirstOrThrow();
  // SCORM's learner_name convention is "Family, Given".
  const name = user.name_family && user.name_given ? `${user.name_family}, ${user.name_given}` : (user.name_full ?? user.username ?? '');
  return { id: user.lti_user_id, name };
}

/** A per-attempt seed, stable across resumes and remarks, without storing it. */
function seedFor(keys: LaunchKeys, attemptId: number): string {
  return String(createHmac('sha256', keys.grantKey).update(`seed:${attemptId}`).digest().readUInt32BE(0));
}

/**
 * Opens an attempt in a window: a fresh client session id (which replaces any other window's),
 * every current value of the attempt in one read, and the runtime settings the exam reads.
 */
export async function openAttempt(
  db: Kysely<Database>,
  keys: LaunchKeys,
  session: LtiSession,
  attemptId: number,
  mode: PlayerMode,
  now: number,
): Promise<PlayerLaunch> {
  const attempt = await requireAttemptAccess(db, session, attemptId);
  const reviewing = mode === 'review';
  if (!reviewing && attempt.ended_at !== null && session.role === 'student') {
    throw new AppError('conflict', 'This attempt has ended. You can review it, or start a new attempt if one is allowed.');
  }
  if (reviewing && attempt.ended_at === null && session.role === 'student') {
    throw new AppError('conflict', 'This attempt is still in progress: continue it instead.');
  }
  const version = await db.selectFrom('package_versions').selectAll().where('id', '=', attempt.package_version_id).executeTakeFirstOrThrow();
  const sessionId = randomBytes(16).toString('hex');
  const rows = await readValues(db, attempt.id);
  if (!reviewing) {
    await db.transaction().execute(async (trx) => {
      // opened_at ranks sessions (a later one's values win), so it must strictly increase per
      // attempt even when two windows open it within the same millisecond.
      const last = await trx.selectFrom('attempt_sessions').select((eb) => eb.fn.max('opened_at').as('latest')).where('attempt_id', '=', attempt.id).executeTakeFirst();
      const openedAt = Math.max(now, Number(last?.latest ?? 0) + 1);
      await trx.updateTable('attempts').set({ current_session_id: sessionId, updated_at: now }).where('id', '=', attempt.id).execute();
      await trx.insertInto('attempt_sessions').values({ attempt_id: attempt.id, session_id: sessionId, opened_at: openedAt, session_time_ms: 0 }).execute();
    });
  }
  const person = await learner(db, attempt.user_id);
  return {
    attempt: { id: attempt.id, testRun: false },
    mode,
    scormVersion: version.scorm_version,
    contentUrl: contentUrl(keys, version, attempt.id, session.role, now),
    sessionId,
    values: Object.fromEntries(rows.map((r) => [r.key, r.value])),
    runtime: {
      entry: reviewing ? '' : rows.length > 0 ? 'resume' : 'ab-initio',
      learnerId: person.id,
      learnerName: person.name,
      launchData: '',
      maxTimeAllowed: null,
      numbas: {
        user_role: session.role === 'instructor' ? 'instructor' : 'learner',
        initial_seed: seedFor(keys, attempt.id),
        'duration_extension.amount': '0',
        'duration_extension.units': 'seconds',
        disable_duration: 'false',
        review_allowed: 'true',
      },
    },
  };
}

/** An instructor's test run of the current package: the same player, nothing saved. */
export async function openTestRun(db: Kysely<Database>, keys: LaunchKeys, session: LtiSession, now: number): Promise<PlayerLaunch> {
  requireInstructor(session);
  const resourceId = await resourceIdOfSession(db, session);
  const resource = resourceId === null ? undefined : await db.selectFrom('resources').selectAll().where('id', '=', resourceId).executeTakeFirst();
  if (!resource || resource.current_package_version_id === null) throw new AppError('conflict', 'Upload an exam package first.');
  const version = await db.selectFrom('package_versions').selectAll().where('id', '=', resource.current_package_version_id).executeTakeFirstOrThrow();
  const person = await learner(db, session.userId);
  return {
    attempt: { id: 0, testRun: true },
    mode: 'normal',
    scormVersion: version.scorm_version,
    contentUrl: contentUrl(keys, version, null, session.role, now),
    sessionId: randomBytes(16).toString('hex'),
    values: {},
    runtime: {
      entry: 'ab-initio',
      learnerId: person.id,
      learnerName: person.name,
      launchData: '',
      maxTimeAllowed: null,
      numbas: { user_role: 'instructor', initial_seed: String(now % 4294967296), 'duration_extension.amount': '0', 'duration_extension.units': 'seconds', disable_duration: 'false', review_allowed: 'true' },
    },
  };
}
