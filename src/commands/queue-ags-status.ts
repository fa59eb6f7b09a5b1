import type { Kysely } from 'kysely';
import { LTI13_SERVICES } from '../lti/constants.js';
import { enqueueJob } from '../store/repositories/jobs.js';
import { grantedScopes, latestLaunchServices } from '../store/repositories/lti13-launch-records.js';
import type { Database } from '../store/schema.js';
import { GRADE_JOB_MAX_DEADLINE_MS } from './grade-refresh.js';

export const AGS_STATUS_KIND = 'ags-status';

/**
 * A progress report without a score, sent through AGS only:
 * - 'started': the student's first attempt began (activityProgress Started, gradingProgress NotReady);
 * - 'pending-manual': an attempt was submitted at a resource whose scores the instructor
 *   releases by hand (Completed, PendingManual), so the LMS records the submission time.
 */
export type AgsStatus = 'started' | 'pending-manual';

/** The payload of an ags-status job. `at` is the instant of the event, sent as the score's timestamp. */
export interface AgsStatusPayload {
  resourceId: number;
  userId: number;
  status: AgsStatus;
  at: number;
}

/**
 * Its own key, apart from the grade's: a status never coalesces into (and so never replaces,
 * delays or weakens) a pending grade send. Two statuses of one student do coalesce: the newer
 * one is the one worth sending.
 */
export function agsStatusJobKey(resourceId: number, userId: number): string {
  return `ags-status:${resourceId}:${userId}`;
}

function isPositiveInt(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value > 0;
}

export function readAgsStatusPayload(payload: unknown): AgsStatusPayload | null {
  if (typeof payload !== 'object' || payload === null) return null;
  const p = payload as Record<string, unknown>;
  if (!isPositiveInt(p.resourceId) || !isPositiveInt(p.userId) || !isPositiveInt(p.at)) return null;
  if (p.status !== 'started' && p.status !== 'pending-manual') return null;
  return { resourceId: p.resourceId, userId: p.userId, status: p.status, at: p.at };
}

/**
 * Whether a status is worth queueing for the student: no grade of theirs has reached the LMS
 * (platforms may read a status as a rollback of a score they hold), and their latest launch at
 * the resource is LTI 1.3 with an AGS claim granting the score scope (LTI 1.1 Basic Outcomes has
 * no status at all). The send checks again, with the full service lookup, when it runs.
 */
export async function agsStatusWanted(db: Kysely<Database>, resourceId: number, userId: number): Promise<boolean> {
  const [state, latest] = await Promise.all([
    db.selectFrom('grade_states').select('sent_version').where('resource_id', '=', resourceId).where('user_id', '=', userId).executeTakeFirst(),
    latestLaunchServices(db, resourceId, userId),
  ]);
  if (state !== undefined && state.sent_version !== null) return false;
  if (latest === undefined || latest.platform_id === null) return false;
  if (latest.ags_lineitem_url === null && latest.ags_lineitems_url === null) return false;
  return grantedScopes(latest.ags_scopes).includes(LTI13_SERVICES.scopes.score);
}

/**
 * Queues a status for the student when it is worth sending (see agsStatusWanted). Call it
 * inside the transaction that records the event, so the status cannot be lost; the runner's
 * poll picks it up. Returns whether a job was queued.
 */
export async function queueAgsStatus(db: Kysely<Database>, payload: AgsStatusPayload, now: number): Promise<boolean> {
  if (!(await agsStatusWanted(db, payload.resourceId, payload.userId))) return false;
  await enqueueJob(
    db,
    {
      kind: AGS_STATUS_KIND,
      key: agsStatusJobKey(payload.resourceId, payload.userId),
      payload: { resourceId: payload.resourceId, userId: payload.userId, status: payload.status, at: payload.at },
      runAt: now,
      // The handler gives up at OUTCOME_DEADLINE_HOURS, as grade sends do; this is only the outer bound.
      deadlineAt: now + GRADE_JOB_MAX_DEADLINE_MS,
      resourceId: payload.resourceId,
    },
    now,
  );
  return true;
}

/**
 * Under manual report timing an attempt was submitted: queues Completed / PendingManual, stamped
 * with the latest submission, unless a grade was already sent (a released grade is never
 * cleared). Called by the grade send that the timing held back.
 */
export async function queuePendingManualStatus(db: Kysely<Database>, resourceId: number, userId: number, now: number): Promise<boolean> {
  const last = await db
    .selectFrom('attempts')
    .select((eb) => eb.fn.max('ended_at').as('ended_at'))
    .where('resource_id', '=', resourceId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  const endedAt = last?.ended_at === null || last?.ended_at === undefined ? null : Number(last.ended_at);
  if (endedAt === null) return false;
  return queueAgsStatus(db, { resourceId, userId, status: 'pending-manual', at: endedAt }, now);
}
