import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { type GradeEvent, shouldReport } from '../domain/report-timing.js';
import type { SecretBox } from '../lib/secret-box.js';
import { OutcomeError, sendOutcomeRequest } from '../lti/lti11/outcomes-client.js';
import { replaceResultRequest } from '../lti/lti11/outcomes-xml.js';
import { getGradeState, insertGradeReport, markGradeSent, markGradeStatus } from '../store/repositories/grades.js';
import type { Database } from '../store/schema.js';
import { findGradeService } from './find-grade-service.js';
import { activityProgressOf, sendAgsScore, sendFailureOf } from './send-ags-score.js';
import { enqueueGradeRefresh } from './grade-refresh.js';
import { queuePendingManualStatus } from './queue-ags-status.js';
import { recomputeGrade } from './recompute-grade.js';

export interface GradeSendDeps {
  db: Kysely<Database>;
  secretBox: SecretBox;
  /** OUTCOME_TIMEOUT_SECONDS, in ms. */
  timeoutMs: number;
  now: () => number;
  /**
   * Takes a slot toward one LMS origin (this node's polite limit) and gives back its release.
   * The origin is known only once the launch is read, so the wait happens here.
   */
  acquireSlot?: (origin: string) => Promise<() => void>;
  fetchImpl?: typeof fetch;
}

export interface GradeSendRequest {
  resourceId: number;
  userId: number;
  event: GradeEvent;
  /** The job this try runs in, for the audit row. */
  jobId: number | null;
  /** A retryable failure at or after this instant is given up (status 'failed'). */
  giveUpAt?: number;
}

export type GradeSendResult =
  /** Nothing was sent: the timing says not now, or this version is already in the gradebook. */
  | { outcome: 'skipped'; reason: 'timing' | 'already_sent'; score: number | null }
  | { outcome: 'no_outcome_service' }
  /** No attempt counts yet: there is nothing to send. */
  | { outcome: 'no_grade' }
  | { outcome: 'sent'; score: number; version: number; origin: string }
  | { outcome: 'failed'; score: number; origin: string; error: OutcomeError; retryable: boolean };

/** Statuses that mean a send was decided and has not arrived yet: a later event must not drop it. */
const OWED = new Set(['queued', 'retrying']);

/**
 * Sends one student's current grade for a resource to the LMS with replaceResult, when the
 * resource's report timing says this event should, and records everything: an audit row for
 * every try and the student's grade state.
 *
 * The grade is recomputed here, at send time, so a send that waited (backoff, coalescing)
 * carries the latest grade rather than the one current when it was queued. A send that
 * finishes after a newer version was recorded as sent has put an older grade in the
 * gradebook: the newest one is queued again at once.
 */
export async function sendGrade(deps: GradeSendDeps, req: GradeSendRequest): Promise<GradeSendResult> {
  const { db } = deps;
  const { resourceId, userId } = req;
  const grade = await recomputeGrade(db, resourceId, userId, deps.now());
  const owed = OWED.has(grade.status);
  if (!shouldReport(grade.reportTiming, req.event) && !owed) {
    // Scores released by hand: an LTI 1.3 LMS still learns now that the work was submitted (and
    // when: no late penalty), as PendingManual without a score, until the instructor reports.
    if (req.event === 'attempt-completed' && grade.reportTiming === 'manual' && grade.score !== null && grade.sentVersion === null) {
      await queuePendingManualStatus(db, resourceId, userId, deps.now());
    }
    return { outcome: 'skipped', reason: 'timing', score: grade.score };
  }
  // Asked by hand, the grade goes again even if it is there: the gradebook may have been reset.
  if (req.event !== 'manual' && grade.status === 'sent' && grade.sentVersion === grade.version) {
    return { outcome: 'skipped', reason: 'already_sent', score: grade.score };
  }

  const target = { resourceId, userId, version: grade.version };
  // The student's latest launch decides: LTI 1.1 Basic Outcomes or LTI 1.3 AGS.
  const found = await findGradeService(db, deps.secretBox, resourceId, userId);
  if (found.kind === 'none') {
    const now = deps.now();
    // An LTI 1.3 launch that lacks the score scope (or the AGS claim) says why, in the audit trail too.
    if (found.reason !== null) {
      await insertGradeReport(db, { resource_id: resourceId, user_id: userId, job_id: req.jobId, operation: 'replace', score: grade.score, outcome: 'failed', http_status: null, detail: found.reason, tried_at: now });
    }
    await markGradeStatus(db, { ...target, status: 'no_outcome_service', error: found.reason, now });
    return { outcome: 'no_outcome_service' };
  }
  const service = found.service;
  if (grade.score === null) {
    await markGradeStatus(db, { ...target, status: 'none', error: null, now: deps.now() });
    return { outcome: 'no_grade' };
  }
  const score = grade.score;

  let error: OutcomeError | null = null;
  let status: number | null = null;
  let description: string | null = null;
  const release = deps.acquireSlot ? await deps.acquireSlot(service.origin) : () => {};
  try {
    if (found.kind === 'ags') {
      const activityProgress = await activityProgressOf(db, resourceId, userId);
      const answer = await sendAgsScore({ db, secretBox: deps.secretBox, timeoutMs: deps.timeoutMs, ...(deps.fetchImpl ? { fetchImpl: deps.fetchImpl } : {}) }, found.service, { score, activityProgress, now: deps.now() });
      status = answer.status;
      description = answer.detail;
    } else {
      const lti11 = found.service;
      const xml = replaceResultRequest(lti11.sourcedid, score, `${resourceId}-${userId}-v${grade.version}-${randomUUID()}`);
      const answer = await sendOutcomeRequest({
        url: lti11.url,
        consumerKey: lti11.consumerKey,
        consumerSecret: lti11.consumerSecret,
        xml,
        timeoutMs: deps.timeoutMs,
        now: deps.now(),
        ...(deps.fetchImpl ? { fetchImpl: deps.fetchImpl } : {}),
      });
      status = answer.status;
      description = answer.response.description;
    }
  } catch (caught) {
    error = sendFailureOf(caught);
  } finally {
    release();
  }

  const now = deps.now();
  if (error === null) {
    // One commit for the audit row and the state: they always agree, and a durable commit costs once.
    const recorded = await db.transaction().execute(async (trx) => {
      await insertGradeReport(trx, { resource_id: resourceId, user_id: userId, job_id: req.jobId, operation: 'replace', score, outcome: 'accepted', http_status: status, detail: description, tried_at: now });
      return markGradeSent(trx, { ...target, score, now });
    });
    if (!recorded) {
      const latest = await getGradeState(db, resourceId, userId);
      // Another send of a newer version finished first, and ours then overwrote it in the LMS.
      if (latest && latest.sent_version !== null && latest.sent_version > grade.version) {
        await enqueueGradeRefresh(db, [{ resourceId, userId, event: 'manual' }], now, { delayMs: 0 });
      }
    }
    return { outcome: 'sent', score, version: grade.version, origin: service.origin };
  }

  const failure = error;
  const retryable = failure.retryable && (req.giveUpAt === undefined || now < req.giveUpAt);
  await db.transaction().execute(async (trx) => {
    await insertGradeReport(trx, {
      resource_id: resourceId,
      user_id: userId,
      job_id: req.jobId,
      operation: 'replace',
      score,
      outcome: failure.kind === 'rejected' ? 'rejected' : 'failed',
      http_status: failure.status,
      detail: failure.description,
      tried_at: now,
    });
    await markGradeStatus(trx, { ...target, status: retryable ? 'retrying' : 'failed', error: failure.description, now });
  });
  return { outcome: 'failed', score, origin: service.origin, error, retryable };
}
