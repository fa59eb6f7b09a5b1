import type { Generated, Selectable } from 'kysely';

export type JobState = 'pending' | 'running' | 'done' | 'failed' | 'cancelled';

/** The durable jobs table: every call out to an LMS, and other long work, runs as a job. */
export interface JobsTable {
  id: Generated<number>;
  kind: string;
  /** Pending jobs with the same key coalesce: enqueueing again updates the pending one. */
  key: string;
  /** JSON */
  payload: string;
  state: JobState;
  tries: number;
  run_at: number;
  /** After this, a job that still fails is given up (state 'failed'). */
  deadline_at: number;
  locked_by: string | null;
  /** A running job whose lock has expired (its node died) is claimed again. */
  locked_until: number | null;
  last_error: string | null;
  resource_id: number | null;
  /** JSON progress, e.g. { done, total } */
  progress: string | null;
  /** JSON result summary */
  result: string | null;
  created_at: number;
  updated_at: number;
  finished_at: number | null;
}

export type JobRow = Selectable<JobsTable>;
