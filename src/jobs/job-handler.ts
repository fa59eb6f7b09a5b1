import type { JobRow } from '../store/tables/jobs.js';

/** What a handler decides about one try. */
export type JobOutcome =
  | { status: 'done'; result?: unknown }
  /** Try again later with backoff, until the job's deadline (then the job fails with `error`). */
  | { status: 'retry'; error: string; retryable: true; retryAfterMs?: number }
  /** Give up now: retrying cannot help (the LMS rejected the request, the payload is wrong). */
  | { status: 'failed'; error: string };

export interface JobContext {
  job: JobRow;
  /** `job.payload` parsed. */
  payload: unknown;
  /** The runner's clock. */
  now(): number;
  /**
   * Aborted when this node no longer holds the job (it was cancelled, or another node took it
   * back after missed heartbeats): stop, whatever is done next is not recorded.
   */
  signal: AbortSignal;
  /** Records progress (JSON) for instructors' views, e.g. { done, total }. */
  setProgress(progress: unknown): Promise<void>;
}

/**
 * Runs one kind of job. Jobs run at least once: a node can die after the work but before
 * recording it, so `run` must be idempotent. A thrown error counts as a retryable failure.
 */
export interface JobHandler {
  /**
   * The outside system this job calls (an LMS origin): jobs with the same target share a
   * per-node concurrency limit. No target, no limit beyond the runner's own.
   */
  target?(job: JobRow, payload: unknown): string | null;
  run(context: JobContext): Promise<JobOutcome>;
}

/** Handlers by job kind. */
export type JobHandlers = Record<string, JobHandler>;
