import type { Kysely } from 'kysely';
import type { LtiSession } from '../domain/session-token.js';
import type { Database } from '../store/schema.js';
import { requireInstructorResource, requireStudentOfResource } from './instructor-resource.js';
import { listGradeReports } from './read-grade-states.js';

/** The audit of every try at reporting one student's grade at the session's resource. */
export async function readStudentGradeReports(db: Kysely<Database>, session: LtiSession, userId: number) {
  const resourceId = await requireInstructorResource(db, session);
  await requireStudentOfResource(db, resourceId, userId);
  return { reports: await listGradeReports(db, resourceId, userId) };
}
