import type { Kysely } from 'kysely';
import { OutcomeError } from '../lti/lti11/outcome-errors.js';
import type { ActivityProgress, GradingProgress } from '../lti/lti13/ags.js';
import { getGradeState, insertGradeReport } from '../store/repositories/grades.js';
import type { Database } from '../store/schema.js';
import { findGradeService } from './find-grade-service.js';
import { loadSettings } from './load-access.js';
import type { AgsStatus, AgsStatusPayload } from './queue-ags-status.js';
import { agsProgressLabel, sendAgsScore, sendFailureOf } from './send-ags-score.js';
import type { GradeSendDeps } from './send-grade.js';

export interface AgsStatusRequest {
  payload: AgsStatusPayload;
  /** The job this try runs in, for the audit row. */
  jobId: number | null;
  /** A retryable failure at or after this instant is given up. */
  giveUpAt?: number;
}

export type AgsStatusResult =
  /** Nothing to send any more: a grade reached the LMS since, the timing changed, or the latest launch is not AGS. */
  | { outcome: 'skipped'; reason: 'grade_sent' | 'already_sent' | 'timing' | 'not_ags' }
  | { outcome: 'sent'; origin: string }
  | { outcome: 'failed'; origin: string; error: OutcomeError; retryable: boolean };

const PROGRESS: Record<AgsStatus, { activity: ActivityProgress; grading: GradingProgress }> = {
  started: { activity: 'Started', grading: 'NotReady' },
  // Completed as our grade sends say once no attempt is open: one consistent vocabulary per activity.
  'pending-manual': { activity: 'Completed', grading: 'PendingManual' },
};

function detailPrefix(status: AgsStatus): string {
  return agsProgressLabel('AGS status', PROGRESS[status].activity, PROGRESS[status].grading);
}

/**
 * True when this status already reached the LMS at or after the event: one completion can run
 * two grade sends (a request that arrived while the first ran), and each queues PendingManual.
 * The audit rows are indexed by (resource, user, time), so this costs one short range read.
 */
async function statusWasSent(db: Kysely<Database>, resourceId: number, userId: number, status: AgsStatus, at: number): Promise<boolean> {
  const row = await db
    .selectFrom('grade_reports')
    .select('id')
    .where('resource_id', '=', resourceId)
    .where('user_id', '=', userId)
    .where('tried_at', '>=', at)
    .where('operation', '=', 'status')
    .where('outcome', '=', 'accepted')
    .where('detail', 'like', `${detailPrefix(status)}%`)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

async function gradeWasSent(db: Kysely<Database>, resourceId: number, userId: number): Promise<boolean> {
  const state = await getGradeState(db, resourceId, userId);
  return state !== undefined && state.sent_version !== null;
}

/**
 * Posts one status without a score (Started / NotReady, or Completed / PendingManual) to the
 * student's AGS line item, and leaves an audit row for every try ('status'). It is checked
 * again at send time: once any grade reached the LMS a status is dropped, since a platform may
 * take it for a rollback of that grade. The timestamp is the event's own instant, so a status
 * that arrives late (after retries) is older than any grade sent since, and the platform keeps
 * the grade. Grade state is not touched: a status is not a grade.
 */
export async function sendAgsStatus(deps: GradeSendDeps, req: AgsStatusRequest): Promise<AgsStatusResult> {
  const { db } = deps;
  const { resourceId, userId, status, at } = req.payload;
  if (await gradeWasSent(db, resourceId, userId)) return { outcome: 'skipped', reason: 'grade_sent' };
  if (await statusWasSent(db, resourceId, userId, status, at)) return { outcome: 'skipped', reason: 'already_sent' };
  // The instructor may have changed the timing since: the grade then goes by itself.
  if (status === 'pending-manual' && (await loadSettings(db, resourceId)).reportTiming !== 'manual') return { outcome: 'skipped', reason: 'timing' };
  const found = await findGradeService(db, deps.secretBox, resourceId, userId);
  if (found.kind !== 'ags') return { outcome: 'skipped', reason: 'not_ags' };
  const service = found.service;
  const progress = PROGRESS[status];

  let error: OutcomeError | null = null;
  let httpStatus: number | null = null;
  let detail: string | null = null;
  const release = deps.acquireSlot ? await deps.acquireSlot(service.origin) : () => {};
  try {
    const answer = await sendAgsScore(
      { db, secretBox: deps.secretBox, timeoutMs: deps.timeoutMs, ...(deps.fetchImpl ? { fetchImpl: deps.fetchImpl } : {}) },
      service,
      { score: null, activityProgress: progress.activity, gradingProgress: progress.grading, timestamp: at, now: deps.now() },
    );
    httpStatus = answer.status;
    detail = answer.detail;
  } catch (caught) {
    error = sendFailureOf(caught);
  } finally {
    release();
  }

  const now = deps.now();
  if (error === null) {
    await insertGradeReport(db, { resource_id: resourceId, user_id: userId, job_id: req.jobId, operation: 'status', score: null, outcome: 'accepted', http_status: httpStatus, detail, tried_at: now });
    return { outcome: 'sent', origin: service.origin };
  }
  const failure = error;
  const retryable = failure.retryable && (req.giveUpAt === undefined || now < req.giveUpAt);
  await insertGradeReport(db, {
    resource_id: resourceId,
    user_id: userId,
    job_id: req.jobId,
    operation: 'status',
    score: null,
    outcome: failure.kind === 'rejected' ? 'rejected' : 'failed',
    http_status: failure.status,
    detail: `${detailPrefix(status)} not posted: ${failure.description}`,
    tried_at: now,
  });
  return { outcome: 'failed', origin: service.origin, error: failure, retryable };
}
