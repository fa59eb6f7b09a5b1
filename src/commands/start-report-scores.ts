import type { Kysely } from 'kysely';
import type { LtiSession } from '../domain/session-token.js';
import type { Database } from '../store/schema.js';
import { requireInstructorResource } from './instructor-resource.js';
import { startReportAll } from './report-all-grades.js';

/** "Report scores back to the LMS": queues the report-all job for the session's resource. The caller wakes the job runner. */
export async function startReportScores(db: Kysely<Database>, session: LtiSession, now: number): Promise<{ jobId: number }> {
  const resourceId = await requireInstructorResource(db, session);
  return startReportAll(db, resourceId, session.userId, now);
}
