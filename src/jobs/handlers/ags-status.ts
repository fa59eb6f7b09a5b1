import { AGS_STATUS_KIND, readAgsStatusPayload } from '../../commands/queue-ags-status.js';
import { type AgsStatusResult, sendAgsStatus } from '../../commands/send-ags-status.js';
import type { JobHandler, JobOutcome } from '../job-handler.js';
import type { JobHandlerServices } from './index.js';
import type { OutcomeSlots } from './outcome-slots.js';

export { AGS_STATUS_KIND };

function outcomeOf(result: AgsStatusResult): JobOutcome {
  switch (result.outcome) {
    case 'sent':
      return { status: 'done', result: { outcome: 'sent' } };
    case 'failed':
      return result.retryable ? { status: 'retry', error: result.error.description, retryable: true } : { status: 'failed', error: result.error.description };
    case 'skipped':
      return { status: 'done', result: { outcome: 'skipped', reason: result.reason } };
  }
}

/**
 * 'ags-status': posts an LTI 1.3 student's progress without a score (key
 * `ags-status:<resource>:<user>`), with the same per-LMS limit, backoff and deadline
 * (OUTCOME_DEADLINE_HOURS after the first request) as grade sends, and an audit row per try.
 */
export function agsStatusHandler(services: JobHandlerServices, slots: OutcomeSlots): JobHandler {
  const deadlineMs = services.config.outcomeDeadlineHours * 3600_000;
  return {
    target: (job) => slots.originOf(job.resource_id),
    async run(context) {
      const payload = readAgsStatusPayload(context.payload);
      if (payload === null) return { status: 'failed', error: 'The job does not name a resource, a user, a status and its time.' };
      const result = await sendAgsStatus(
        {
          db: services.store.db,
          secretBox: services.secretBox,
          timeoutMs: services.config.outcomeTimeoutSeconds * 1000,
          now: context.now,
          acquireSlot: (origin) => slots.acquire(payload.resourceId, origin),
        },
        { payload, jobId: context.job.id, giveUpAt: context.job.created_at + deadlineMs },
      );
      return outcomeOf(result);
    },
  };
}
