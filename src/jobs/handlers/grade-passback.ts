import { GRADE_PASSBACK_KIND, type GradePassbackPayload } from '../../commands/grade-refresh.js';
import { type GradeSendResult, sendGrade } from '../../commands/send-grade.js';
import type { GradeEvent } from '../../domain/report-timing.js';
import type { JobHandler, JobOutcome } from '../job-handler.js';
import type { JobHandlerServices } from './index.js';
import type { OutcomeSlots } from './outcome-slots.js';

export { GRADE_PASSBACK_KIND };

const EVENTS: readonly GradeEvent[] = ['score-changed', 'attempt-completed', 'deadline-passed', 'access-changed', 'manual'];

function isPositiveInt(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value > 0;
}

export function readGradePayload(payload: unknown): GradePassbackPayload | null {
  if (typeof payload !== 'object' || payload === null) return null;
  const p = payload as Record<string, unknown>;
  if (!isPositiveInt(p.resourceId) || !isPositiveInt(p.userId)) return null;
  const event = (EVENTS as readonly unknown[]).includes(p.event) ? (p.event as GradeEvent) : null;
  if (event === null) return null;
  return { resourceId: p.resourceId, userId: p.userId, event };
}

function outcomeOf(result: GradeSendResult): JobOutcome {
  switch (result.outcome) {
    case 'sent':
      return { status: 'done', result: { outcome: 'sent', score: result.score, version: result.version } };
    case 'failed':
      // The description is the LMS's own words (or what went wrong on the way), for the job's last_error.
      return result.retryable ? { status: 'retry', error: result.error.description, retryable: true } : { status: 'failed', error: result.error.description };
    case 'skipped':
      return { status: 'done', result: { outcome: 'skipped', reason: result.reason } };
    default:
      return { status: 'done', result: { outcome: result.outcome } };
  }
}

/**
 * 'grade-passback': sends one student's current grade for one resource (key
 * `grade:<resource>:<user>`, so requests coalesce and only the latest grade goes). A retryable
 * failure (LMS down, slow, rate limiting) is retried with the runner's backoff until
 * OUTCOME_DEADLINE_HOURS after the first request; a rejection fails at once, with the LMS's
 * description in the audit rows and on the job.
 */
export function gradePassbackHandler(services: JobHandlerServices, slots: OutcomeSlots): JobHandler {
  const deadlineMs = services.config.outcomeDeadlineHours * 3600_000;
  return {
    target: (job) => slots.originOf(job.resource_id),
    async run(context) {
      const payload = readGradePayload(context.payload);
      if (payload === null) return { status: 'failed', error: 'The job does not name a resource, a user and an event.' };
      const result = await sendGrade(
        {
          db: services.store.db,
          secretBox: services.secretBox,
          timeoutMs: services.config.outcomeTimeoutSeconds * 1000,
          now: context.now,
          acquireSlot: (origin) => slots.acquire(payload.resourceId, origin),
        },
        { ...payload, jobId: context.job.id, giveUpAt: context.job.created_at + deadlineMs },
      );
      return outcomeOf(result);
    },
  };
}
