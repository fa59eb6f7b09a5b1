import type { Kysely } from 'kysely';
import type { LtiSession } from '../domain/session-token.js';
import { AppError } from '../lib/errors.js';
import { getJob } from '../store/repositories/jobs.js';
import type { Database } from '../store/schema.js';
import type { JobState } from '../store/tables/jobs.js';
import { requireInstructorResource } from './instructor-resource.js';

export interface JobView {
  id: number;
  kind: string;
  state: JobState;
  /** The job's own JSON, e.g. { done, total, sent, failed } for report-all. */
  progress: unknown;
  result: unknown;
  lastError: string | null;
  createdAt: string;
  finishedAt: string | null;
}

function parsed(text: string | null): unknown {
  if (text === null) return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

/** A job working for the session's resource, for the page to follow; any other id answers "not found". */
export async function readResourceJob(db: Kysely<Database>, session: LtiSession, jobId: number): Promise<JobView> {
  const resourceId = await requireInstructorResource(db, session);
  const job = await getJob(db, jobId);
  if (!job || job.resource_id !== resourceId) throw new AppError('not_found', 'There is no such job for this exam.');
  return {
    id: job.id,
    kind: job.kind,
    state: job.state,
    progress: parsed(job.progress),
    result: parsed(job.result),
    lastError: job.last_error,
    createdAt: new Date(job.created_at).toISOString(),
    finishedAt: job.finished_at === null ? null : new Date(job.finished_at).toISOString(),
  };
}
