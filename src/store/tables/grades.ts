import type { Generated, Selectable } from 'kysely';

/** Every try at sending (or reading, or deleting) a grade, for instructors to see. */
export interface GradeReportsTable {
  id: Generated<number>;
  resource_id: number;
  user_id: number;
  job_id: number | null;
  /** 'status': an AGS progress report without a score (Started, PendingManual). The column is free text, so no migration. */
  operation: 'replace' | 'read' | 'delete' | 'status';
  score: number | null;
  outcome: 'accepted' | 'rejected' | 'failed';
  http_status: number | null;
  /** The LMS's description, or the error. */
  detail: string | null;
  tried_at: number;
}

export type GradeStatus = 'none' | 'queued' | 'retrying' | 'sent' | 'failed' | 'no_outcome_service';

/** A student's grade at a resource and where its report to the LMS stands. */
export interface GradeStatesTable {
  resource_id: number;
  user_id: number;
  score: number | null;
  /** Grows with each change of score; a send carries the version it read. */
  version: number;
  sent_score: number | null;
  sent_version: number | null;
  sent_at: number | null;
  status: GradeStatus;
  last_error: string | null;
  updated_at: number;
}

export type GradeReportRow = Selectable<GradeReportsTable>;
export type GradeStateRow = Selectable<GradeStatesTable>;
