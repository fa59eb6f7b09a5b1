import { createHmac, randomBytes } from 'node:crypto';
import { type Kysely, sql } from 'kysely';
import { canResume, canReview } from '../domain/attempt-rules.js';
import { issueContentGrant } from '../domain/content-grant.js';
import { runtimeDuration } from '../domain/exam-duration.js';
import type { LtiSession } from '../domain/session-token.js';
import { AppError } from '../lib/errors.js';
import { isSqlite } from '../store/dialect.js';
import { readValues } from '../store/repositories/attempt-data.js';
import { readAttemptLaunch } from '../store/repositories/attempt-launch.js';
import type { Database } from '../store/schema.js';
import type { AttemptRow } from '../store/tables/attempts.js';
import type { PackageVersionRow } from '../store/tables/packages.js';
import type { UserRow } from '../store/tables/users.js';
import { accessFromRows, attemptFacts, type LoadedAccess, loadAccess } from './load-access.js';
import { checkAttemptAccess, requireAttemptAccess, requireInstructor, resourceIdOfSession } from './resource-access.js';

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

type LearnerColumns = Pick<UserRow, 'lti_user_id' | 'name_given' | 'name_family' | 'name_full' | 'username'>;

function learnerOf(user: LearnerColumns): { id: string; name: string } {
  // SCORM's learner_name convention is "Family, Given".
  const name = user.name_family && user.name_given ? `${user.name_family}, ${user.name_given}` : (user.name_full ?? user.username ?? '');
  return { id: user.lti_user_id, name };
}

async function learner(db: Kysely<Database>, userId: number): Promise<{ id: string; name: string }> {
  return learnerOf(await db.selectFrom('users').selectAll().where('id', '=', userId).executeTakeFirstOrThrow());
}

/** A per-attempt seed, stable across resumes and remarks, without storing it. */
function seedFor(keys: LaunchKeys, attemptId: number): string {
  return String(createHmac('sha256', keys.grantKey).update(`seed:${attemptId}`).digest().readUInt32BE(0));
}

/**
 * Records a new client session of the attempt and makes it the current one. opened_at ranks
 * sessions (a later one's values win), so it must strictly increase per attempt even when two
 * windows open it within the same millisecond.
 */
async function openSession(db: Kysely<Database>, attemptId: number, sessionId: string, now: number): Promise<void> {
  if (isSqlite(db)) {
    // Local and synchronous: a transaction of three statements costs nothing extra.
    await db.transaction().execute(async (trx) => {
      const last = await trx.selectFrom('attempt_sessions').select((eb) => eb.fn.max('opened_at').as('latest')).where('attempt_id', '=', attemptId).executeTakeFirst();
      const openedAt = Math.max(now, Number(last?.latest ?? 0) + 1);
      await trx.updateTable('attempts').set({ current_session_id: sessionId, updated_at: now }).where('id', '=', attemptId).execute();
      await trx.insertInto('attempt_sessions').values({ attempt_id: attemptId, session_id: sessionId, opened_at: openedAt, session_time_ms: 0 }).execute();
    });
    return;
  }
  // PostgreSQL: the same three steps as one statement (one round trip instead of five with
  // BEGIN and COMMIT), atomic as a statement is.
  await sql`
    with opened as (
      insert into attempt_sessions (attempt_id, session_id, opened_at, session_time_ms)
      select ${attemptId}::bigint, ${sessionId}::text, greatest(${now}::bigint, coalesce(max(opened_at), 0) + 1), 0
      from attempt_sessions where attempt_id = ${attemptId}
      returning attempt_id
    )
    update attempts set current_session_id = ${sessionId}, updated_at = ${now}
    where id = (select attempt_id from opened)`.execute(db);
}

/** Everything opening an attempt reads, after the access policy and the mode checks passed. */
interface LaunchReads {
  attempt: AttemptRow;
  /** The attempt owner's rules (an instructor opening a student's attempt sees what the student gets). */
  rules: LoadedAccess;
  version: PackageVersionRow;
  values: Record<string, string>;
  person: { id: string; name: string };
}

function refuseWrongMode(attempt: AttemptRow, session: LtiSession, mode: PlayerMode): void {
  if (mode !== 'review' && attempt.ended_at !== null && session.role === 'student') {
    throw new AppError('conflict', 'This attempt has ended. You can review it, or start a new attempt if one is allowed.');
  }
  if (mode === 'review' && attempt.ended_at === null && session.role === 'student') {
    throw new AppError('conflict', 'This attempt is still in progress: continue it instead.');
  }
}

/**
 * On PostgreSQL one statement reads it all (src/store/repositories/attempt-launch.ts): each
 * statement is a round trip there, and the access check followed by the reads made most of a
 * resume's time (docs/performance.md). The policy and the rules are the same code either way.
 */
async function readForLaunch(db: Kysely<Database>, session: LtiSession, attemptId: number, mode: PlayerMode, now: number): Promise<LaunchReads> {
  if (isSqlite(db)) {
    // Local and synchronous: separate reads cost nothing extra.
    const attempt = await requireAttemptAccess(db, session, attemptId);
    refuseWrongMode(attempt, session, mode);
    const [rules, version, rows, person] = await Promise.all([
      loadAccess(db, attempt.resource_id, attempt.user_id, now),
      db.selectFrom('package_versions').selectAll().where('id', '=', attempt.package_version_id).executeTakeFirstOrThrow(),
      readValues(db, attempt.id),
      learner(db, attempt.user_id),
    ]);
    return { attempt, rules, version, values: Object.fromEntries(rows.map((r) => [r.key, r.value])), person };
  }
  const rows = await readAttemptLaunch(db, session.resourceLinkId, session.consumerId, attemptId);
  const attempt = checkAttemptAccess(session, rows.link, rows.attempt);
  refuseWrongMode(attempt, session, mode);
  const rules = accessFromRows(rows);
  // Both are held by foreign keys of the attempt.
  if (!rows.version || !rows.user) throw new Error(`attempt ${attempt.id} has no package version or user`);
  return { attempt, rules, version: rows.version, values: rows.values, person: learnerOf(rows.user) };
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
  const reviewing = mode === 'review';
  const { attempt, rules, version, values, person } = await readForLaunch(db, session, attemptId, mode, now);
  const facts = attemptFacts(attempt);
  if (session.role === 'student') {
    const verdict = reviewing ? canReview(rules.settings, facts, now, 'student', rules.access) : canResume(rules.access, facts, now);
    if (!verdict.allowed) throw new AppError('forbidden', verdict.reason);
  }
  // numbas.review_allowed tells the exam whether to offer review once it ends: judged as if it had ended now.
  const reviewAllowed = session.role === 'instructor' || canReview(rules.settings, { ...facts, endedAt: facts.endedAt ?? now }, now, 'student').allowed;
  const sessionId = randomBytes(16).toString('hex');
  if (!reviewing) await openSession(db, attempt.id, sessionId, now);
  // The package manifest's own time limit is not read yet (the manifest parser does not expose it), so the base is null.
  const duration = runtimeDuration(version.scorm_version, null, rules.access.duration);
  return {
    attempt: { id: attempt.id, testRun: false },
    mode,
    scormVersion: version.scorm_version,
    contentUrl: contentUrl(keys, version, attempt.id, session.role, now),
    sessionId,
    values,
    runtime: {
      entry: reviewing ? '' : Object.keys(values).length > 0 ? 'resume' : 'ab-initio',
      learnerId: person.id,
      learnerName: person.name,
      launchData: '',
      maxTimeAllowed: duration.maxTimeAllowed,
      numbas: {
        user_role: session.role === 'instructor' ? 'instructor' : 'learner',
        initial_seed: seedFor(keys, attempt.id),
        ...duration.numbas,
        review_allowed: reviewAllowed ? 'true' : 'false',
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
