import { enqueueGradeRefresh } from '../../commands/grade-refresh.js';
import {
  REPORT_ALL_KIND,
  type ReportAllProgress,
  type ReportAllResult,
  listReportStudents,
} from '../../commands/report-all-grades.js';
import { sendGrade } from '../../commands/send-grade.js';
import { RETRY_BASE_MS } from '../backoff.js';
import type { JobHandler } from '../job-handler.js';
import type { JobHandlerServices } from './index.js';
import type { OutcomeSlots } from './outcome-slots.js';

export { REPORT_ALL_KIND };

/** Progress is written at most this often, so 10,000 students do not make 10,000 writes. */
const PROGRESS_EVERY_MS = 500;

function readResourceId(payload: unknown): number | null {
  if (typeof payload !== 'object' || payload === null) return null;
  const id = (payload as Record<string, unknown>).resourceId;
  return typeof id === 'number' && Number.isInteger(id) && id > 0 ? id : null;
}

/**
 * 'report-all': the instructor's "Report scores back to the LMS". Sends every student's
 * current grade (as a manual report, so whatever the timing setting), a few at a time: the
 * workers are as many as this node may send to one LMS at once, and every send also takes a
 * slot from the shared per-LMS limit. A retryable failure is left to a grade-passback job,
 * which keeps trying with backoff; the summary lists every failure with its reason.
 */
export function reportAllHandler(services: JobHandlerServices, slots: OutcomeSlots): JobHandler {
  const workers = Math.max(1, services.config.lmsConcurrency);
  return {
    async run(context) {
      const resourceId = readResourceId(context.payload);
      if (resourceId === null) return { status: 'failed', error: 'The job does not name a resource.' };
      const db = services.store.db;
      const students = await listReportStudents(db, resourceId);
      const progress: ReportAllProgress = { done: 0, total: students.length, sent: 0, failed: 0 };
      const result: ReportAllResult = { sent: 0, failed: [], nothingToSend: 0, retrying: 0 };
      const leftToRetry: number[] = [];
      await context.setProgress(progress);
      let lastProgress = context.now();

      let next = 0;
      const work = async (): Promise<void> => {
        while (next < students.length && !context.signal.aborted) {
          const student = students[next++];
          if (student === undefined) break;
          const sent = await sendGrade(
            {
              db,
              secretBox: services.secretBox,
              timeoutMs: services.config.outcomeTimeoutSeconds * 1000,
              now: context.now,
              acquireSlot: (origin) => slots.acquire(resourceId, origin),
            },
            { resourceId, userId: student.userId, event: 'manual', jobId: context.job.id },
          );
          if (sent.outcome === 'sent') {
            progress.sent++;
            result.sent++;
          } else if (sent.outcome === 'no_grade') {
            result.nothingToSend++;
          } else if (sent.outcome === 'no_outcome_service') {
            progress.failed++;
            result.failed.push({ userId: student.userId, name: student.name, reason: 'The LMS gave no outcome service for this student (the link is not graded, or they are not in its gradebook).' });
          } else if (sent.outcome === 'failed') {
            progress.failed++;
            result.failed.push({ userId: student.userId, name: student.name, reason: sent.error.description });
            if (sent.retryable) leftToRetry.push(student.userId);
          }
          progress.done++;
          if (context.now() - lastProgress >= PROGRESS_EVERY_MS) {
            lastProgress = context.now();
            await context.setProgress(progress);
          }
        }
      };
      await Promise.all(Array.from({ length: Math.min(workers, students.length) }, () => work()));
      if (context.signal.aborted) return { status: 'retry', error: 'This node lost the job; it runs again.', retryable: true };

      if (leftToRetry.length > 0) {
        const now = context.now();
        await enqueueGradeRefresh(db, leftToRetry.map((userId) => ({ resourceId, userId, event: 'manual' as const })), now, { delayMs: RETRY_BASE_MS });
        result.retrying = leftToRetry.length;
      }
      await context.setProgress(progress);
      return { status: 'done', result };
    },
  };
}
