import type { Kysely } from 'kysely';
import { effectiveAccess } from '../domain/access-change.js';
import type { AttemptFacts } from '../domain/attempt-rules.js';
import { gradeFor } from '../domain/grading.js';
import type { ResourceSettings } from '../domain/resource-settings.js';
import type { LtiSession } from '../domain/session-token.js';
import type { Database } from '../store/schema.js';
import { requireInstructorResource, studentIdsOfResource } from './instructor-resource.js';
import { attemptFacts, loadAccessChanges, loadSettings } from './load-access.js';
import { readGradeStates } from './read-grade-states.js';
import type { LmsGrades } from './read-lms-grades.js';

export interface GradeReportState {
  /** 'none' | 'queued' | 'retrying' | 'sent' | 'failed' | 'no_outcome_service' */
  status: string;
  sentScore: number | null;
  sentAt: string | null;
  lastError: string | null;
}

export interface DashboardRow {
  userId: number;
  name: string | null;
  username: string | null;
  email: string | null;
  /** Scaled 0..1 by the resource's grading method; null when there is nothing to grade. */
  score: number | null;
  attempts: number;
  /** Whether one attempt is open now. */
  inProgress: boolean;
  lastAttemptAt: string | null;
  accessTokens: number;
  /** The student's own allowance after access changes (0 = unlimited), before tokens. */
  maxAttempts: number;
  gradeReport: GradeReportState | null;
  /** "Grade in the LMS" (scaled 0..1) read with AGS results; null when the LMS holds none or it could not be read. */
  lmsScore: number | null;
}

export interface DashboardAnswer {
  counts: { attempts: number; studentsWithAttempts: number; students: number };
  gradingMethod: ResourceSettings['gradingMethod'];
  reportTiming: ResourceSettings['reportTiming'];
  students: DashboardRow[];
  /** Whether "grade in the LMS" could be read (LTI 1.3 with the result scope), and why not. */
  lmsGrades: { available: boolean; reason: string | null };
}

function displayName(u: { name_full: string | null; name_given: string | null; name_family: string | null }): string | null {
  if (u.name_full !== null && u.name_full.trim() !== '') return u.name_full;
  const joined = [u.name_given, u.name_family].filter((p) => p !== null && p !== '').join(' ');
  return joined === '' ? null : joined;
}

function matches(row: DashboardRow, query: string): boolean {
  const q = query.trim().toLowerCase();
  if (q === '') return true;
  return [row.name, row.username, row.email].some((v) => v !== null && v.toLowerCase().includes(q));
}

/**
 * The instructor's view of the resource: counts, and one row per student with the grade the
 * grading method gives, attempts, tokens and where the grade's report to the LMS stands.
 * A fixed handful of queries for the whole class, never one per student; the rules (access
 * changes, grading) run here in memory on what they read.
 */
export async function readDashboard(
  db: Kysely<Database>,
  session: LtiSession,
  now: number,
  query = '',
  /** Reads the LMS gradebook for the resource (AGS results); left out, no LMS grades are shown. */
  readLms?: (resourceId: number) => Promise<LmsGrades>,
): Promise<DashboardAnswer> {
  const resourceId = await requireInstructorResource(db, session);
  const [settings, changes, users, attemptRows, tokenRows, gradeStates, lms] = await Promise.all([
    loadSettings(db, resourceId),
    loadAccessChanges(db, resourceId),
    db
      .selectFrom('users')
      .select(['id', 'name_full', 'name_given', 'name_family', 'username', 'email'])
      .where('id', 'in', studentIdsOfResource(db, resourceId))
      .execute(),
    db
      .selectFrom('attempts')
      .select(['id', 'user_id', 'started_at', 'ended_at', 'completion_status', 'score_scaled', 'score_raw', 'score_max'])
      .where('resource_id', '=', resourceId)
      .orderBy('started_at')
      .orderBy('id')
      .execute(),
    db
      .selectFrom('access_tokens')
      .select(['user_id', (eb) => eb.fn.countAll<number | string>().as('n')])
      .where('resource_id', '=', resourceId)
      .groupBy('user_id')
      .execute(),
    readGradeStates(db, resourceId),
    readLms ? readLms(resourceId) : Promise.resolve<LmsGrades>({ available: false, reason: 'Not asked.' }),
  ]);

  const attemptsByUser = new Map<number, AttemptFacts[]>();
  for (const row of attemptRows) {
    const list = attemptsByUser.get(row.user_id) ?? [];
    list.push(attemptFacts(row));
    attemptsByUser.set(row.user_id, list);
  }
  const tokens = new Map(tokenRows.map((r) => [r.user_id, Number(r.n)]));

  const rows = users.map((u): DashboardRow => {
    const attempts = attemptsByUser.get(u.id) ?? [];
    const accessTokens = tokens.get(u.id) ?? 0;
    const access = effectiveAccess(settings, changes, { username: u.username, email: u.email }, accessTokens);
    const state = gradeStates.get(u.id);
    const last = attempts.at(-1);
    return {
      userId: u.id,
      name: displayName(u),
      username: u.username,
      email: u.email,
      score: gradeFor(settings, attempts, access, now).scaled,
      attempts: attempts.length,
      inProgress: attempts.some((a) => a.endedAt === null),
      lastAttemptAt: last ? new Date(last.startedAt).toISOString() : null,
      accessTokens,
      maxAttempts: access.maxAttempts,
      gradeReport: state
        ? { status: state.status, sentScore: state.sentScore, sentAt: state.sentAt === null ? null : new Date(state.sentAt).toISOString(), lastError: state.lastError }
        : null,
      lmsScore: lms.available ? (lms.byUserId.get(u.id)?.score ?? null) : null,
    };
  });
  const collator = new Intl.Collator('en', { sensitivity: 'base', numeric: true });
  rows.sort((a, b) => collator.compare(a.name ?? a.username ?? '', b.name ?? b.username ?? '') || a.userId - b.userId);

  return {
    counts: { attempts: attemptRows.length, studentsWithAttempts: attemptsByUser.size, students: users.length },
    gradingMethod: settings.gradingMethod,
    reportTiming: settings.reportTiming,
    students: rows.filter((r) => matches(r, query)),
    lmsGrades: lms.available ? { available: true, reason: null } : { available: false, reason: lms.reason },
  };
}
