import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.js';
import type { GradeReportRow, GradeStatus } from '../store/tables/grades.js';

/** Where one student's grade report stands. Times are epoch ms. */
export interface GradeStateView {
  status: GradeStatus;
  /** The grade last computed (0..1), null when nothing counts yet. */
  score: number | null;
  /** The grade the LMS last accepted. */
  sentScore: number | null;
  sentAt: number | null;
  /** Why the last try failed (the LMS's description, or the error). */
  lastError: string | null;
}

export interface GradeReportView {
  id: number;
  userId: number;
  jobId: number | null;
  operation: GradeReportRow['operation'];
  score: number | null;
  outcome: GradeReportRow['outcome'];
  httpStatus: number | null;
  detail: string | null;
  triedAt: number;
}

const num = (v: number | null): number | null => (v === null ? null : Number(v));

/** Every student's grade state at a resource, by user id: one query for the dashboard. */
export async function readGradeStates(db: Kysely<Database>, resourceId: number): Promise<Map<number, GradeStateView>> {
  const rows = await db
    .selectFrom('grade_states')
    .select(['user_id', 'status', 'score', 'sent_score', 'sent_at', 'last_error'])
    .where('resource_id', '=', resourceId)
    .execute();
  return new Map(
    rows.map((r) => [
      Number(r.user_id),
      { status: r.status, score: num(r.score), sentScore: num(r.sent_score), sentAt: num(r.sent_at), lastError: r.last_error },
    ]),
  );
}

/** The audit rows of a resource (or of one student there), newest first. */
export async function listGradeReports(db: Kysely<Database>, resourceId: number, userId?: number, limit = 200): Promise<GradeReportView[]> {
  let query = db.selectFrom('grade_reports').selectAll().where('resource_id', '=', resourceId);
  if (userId !== undefined) query = query.where('user_id', '=', userId);
  const rows = await query.orderBy('tried_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
  return rows.map((r) => ({
    id: r.id,
    userId: Number(r.user_id),
    jobId: r.job_id === null ? null : Number(r.job_id),
    operation: r.operation,
    score: num(r.score),
    outcome: r.outcome,
    httpStatus: r.http_status,
    detail: r.detail,
    triedAt: Number(r.tried_at),
  }));
}
