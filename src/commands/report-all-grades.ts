import type { Kysely } from 'kysely';
import { enqueueJob } from '../store/repositories/jobs.js';
import { markGradesQueued } from '../store/repositories/grades.js';
import type { Database } from '../store/schema.js';

export const REPORT_ALL_KIND = 'report-all';

/** A report of everyone that has not finished in a day is given up; its failures carry on as passback jobs. */
const REPORT_ALL_DEADLINE_MS = 24 * 3600_000;

export interface ReportAllPayload {
  resourceId: number;
  requestedByUserId: number;
}

/** Shown while the job runs. */
export interface ReportAllProgress {
  done: number;
  total: number;
  sent: number;
  failed: number;
}

/** The summary an instructor reads when it is done. */
export interface ReportAllResult {
  sent: number;
  failed: Array<{ userId: number; name: string; reason: string }>;
  /** Students with no attempt that counts yet: nothing to send. */
  nothingToSend: number;
  /** Of the failed, those left with a passback job that keeps retrying. */
  retrying: number;
}

export function reportAllKey(resourceId: number): string {
  return `report-all:${resourceId}`;
}

export interface ReportStudent {
  userId: number;
  name: string;
}

/** Every student who launched the resource through any of its links, by name. */
export async function listReportStudents(db: Kysely<Database>, resourceId: number): Promise<ReportStudent[]> {
  const rows = await db
    .selectFrom('users')
    .select(['users.id', 'users.name_full', 'users.name_given', 'users.name_family', 'users.username', 'users.lti_user_id'])
    .where((eb) =>
      eb.exists(
        eb
          .selectFrom('launches')
          .innerJoin('resource_links', 'resource_links.id', 'launches.resource_link_id')
          .select('launches.id')
          .whereRef('launches.user_id', '=', 'users.id')
          .where('resource_links.resource_id', '=', resourceId)
          .where('launches.role', '=', 'student'),
      ),
    )
    .orderBy('users.id')
    .execute();
  return rows.map((r) => ({
    userId: r.id,
    name: r.name_full ?? ([r.name_given, r.name_family].filter((p) => p !== null).join(' ') || (r.username ?? r.lti_user_id)),
  }));
}

/**
 * Starts "report scores back to the LMS" for every student of a resource, as a job with
 * progress. Pressing the button again while a report is queued or running joins it rather
 * than sending everything twice. Call `services.jobs.wake()` afterwards.
 */
export async function startReportAll(db: Kysely<Database>, resourceId: number, requestedByUserId: number, now: number): Promise<{ jobId: number }> {
  return db.transaction().execute(async (trx) => {
    const running = await trx
      .selectFrom('jobs')
      .select('id')
      .where('key', '=', reportAllKey(resourceId))
      .where('state', '=', 'running')
      .executeTakeFirst();
    if (running) return { jobId: running.id };
    const students = await listReportStudents(trx, resourceId);
    // The dashboard shows every grade as queued until the job reaches it.
    await markGradesQueued(trx, resourceId, students.map((s) => s.userId), now);
    const payload: ReportAllPayload = { resourceId, requestedByUserId };
    const job = await enqueueJob(
      trx,
      { kind: REPORT_ALL_KIND, key: reportAllKey(resourceId), payload, runAt: now, deadlineAt: now + REPORT_ALL_DEADLINE_MS, resourceId },
      now,
    );
    return { jobId: job.id };
  });
}
