import type { Kysely } from 'kysely';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { EventHub } from '../store/event-hub.js';
import { claimJobs } from '../store/repositories/job-claims.js';
import { completeJob, extendJobLocks, failJob, releaseJob, retryJob, setJobProgress } from '../store/repositories/jobs.js';
import type { Database } from '../store/schema.js';
import type { JobRow } from '../store/tables/jobs.js';
import { nextRunOrGiveUp } from './backoff.js';
import type { JobContext, JobHandler, JobHandlers, JobOutcome } from './job-handler.js';
import { TargetLimiter } from './target-limiter.js';

export interface JobLog {
  warn(details: object, message: string): void;
  error(details: object, message: string): void;
}

export interface JobRunnerOptions {
  db: Kysely<Database>;
  /** This process's name in `locked_by`; unique per process (see newNodeId). */
  node: string;
  handlers: JobHandlers;
  /** Handlers running at once on this node (JOB_CONCURRENCY). Default 8. */
  concurrency?: number;
  /** Handlers running at once per target, e.g. per LMS origin, on this node (LMS_CONCURRENCY). Default 2. */
  targetLimit?: number;
  /** A different per-target limit for some targets. */
  limitFor?: (target: string) => number;
  /** How often to look for due jobs when nobody wakes the runner. Default 1000. */
  pollMs?: number;
  /** How long a claim lasts; the heartbeat extends it every third of that. Default 60000. */
  lockMs?: number;
  now?: () => number;
  /** In [0, 1), for backoff jitter. */
  random?: () => number;
  log?: JobLog;
  /** When given, a 'jobs-queued' event from any node wakes this runner at once. */
  events?: EventHub;
}

interface Running {
  job: JobRow;
  abort: AbortController;
}

/**
 * How many jobs the next claim may take: all free slots, or a count of refills (see
 * `crowded`): one per finished job, added up while a claim runs, so jobs finishing together
 * refill every slot they freed.
 */
type Width = 'all' | number;

const ERROR_MAX = 2000;

/** A `locked_by` name: host, process and a random part (two runners in one process differ). */
export function newNodeId(): string {
  return `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
}

function describe(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.length > ERROR_MAX ? `${text.slice(0, ERROR_MAX)}…` : text;
}

const silent: JobLog = { warn: () => {}, error: () => {} };

/**
 * Runs due jobs on this node: claims up to its free slots, runs each handler under its
 * target's limit, records the outcome (done, retry with backoff until the deadline, failed),
 * and keeps the claims of long jobs alive with a heartbeat.
 *
 * A claimed job whose target is at its limit is handed back (pending, a little later) instead
 * of waiting here: a waiting job would hold a slot, and one busy or unreachable LMS would
 * then hold back the jobs of every other LMS on every node. Because the claim cannot see
 * targets, the runner remembers that its last claim met a busy target ("crowded") and then
 * refills only one slot per finished job (the finished job freed exactly one target slot);
 * the poll still tries all free slots, so other targets' jobs are reached.
 */
export class JobRunner {
  private readonly db: Kysely<Database>;
  private readonly node: string;
  private readonly handlers: JobHandlers;
  private readonly kinds: string[];
  private readonly concurrency: number;
  private readonly pollMs: number;
  private readonly lockMs: number;
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly log: JobLog;
  private readonly events: EventHub | undefined;
  private readonly limiter: TargetLimiter;
  private readonly running = new Map<number, Running>();
  /** Handler runs, hand-backs and heartbeats in flight: stop() waits for them. */
  private readonly work = new Set<Promise<void>>();
  private pollTimer: NodeJS.Timeout | null = null;
  private heartbeatTimer: NodeJS.Timeout | null = null;
  private unsubscribe: (() => void) | null = null;
  private started = false;
  private stopping = false;
  private ticking: Promise<void> | null = null;
  private queued: Width | null = null;
  private crowded = false;
  private beating = false;

  constructor(options: JobRunnerOptions) {
    this.db = options.db;
    this.node = options.node;
    this.handlers = options.handlers;
    this.kinds = Object.keys(options.handlers);
    this.concurrency = Math.max(1, options.concurrency ?? 8);
    this.pollMs = Math.max(1, options.pollMs ?? 1000);
    this.lockMs = Math.max(30, options.lockMs ?? 60_000);
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
    this.log = options.log ?? silent;
    this.events = options.events;
    this.limiter = new TargetLimiter({ limit: options.targetLimit ?? 2, ...(options.limitFor ? { limitFor: options.limitFor } : {}) });
  }

  /** Handlers running now. */
  get active(): number {
    return this.running.size;
  }

  start(): void {
    if (this.started || this.stopping) return;
    this.started = true;
    // A node with no handlers claims nothing (it could not run what it took).
    if (this.kinds.length === 0) return;
    this.pollTimer = setInterval(() => this.request('all'), this.pollMs);
    this.pollTimer.unref();
    this.heartbeatTimer = setInterval(() => this.track(this.heartbeat()), Math.max(10, Math.floor(this.lockMs / 3)));
    this.heartbeatTimer.unref();
    this.unsubscribe = this.events?.subscribe((event) => event.type === 'jobs-queued' && this.request('all')) ?? null;
    this.request('all');
  }

  /**
   * Jobs were queued (call after the enqueueing transaction commits): this node looks for due
   * jobs now, and with an event hub every other node is told to as well. Works on a node that
   * runs no jobs itself.
   */
  wake(): void {
    this.request('all');
    this.events?.publish({ type: 'jobs-queued' }).catch((error: unknown) => this.log.error({ err: error }, 'announcing queued jobs failed'));
  }

  /** Stops claiming and waits for running handlers to finish and be recorded (graceful shutdown). */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.pollTimer) clearInterval(this.pollTimer);
    this.unsubscribe?.();
    while (this.ticking || this.work.size > 0) {
      await this.ticking;
      await Promise.allSettled([...this.work]);
    }
    // Only now: a long handler keeps its claim alive until it has finished.
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
  }

  private request(width: Width): void {
    if (!this.started || this.stopping || this.kinds.length === 0) return;
    this.queued = this.queued === 'all' || width === 'all' ? 'all' : (this.queued ?? 0) + width;
    this.ticking ??= this.loop();
  }

  private async loop(): Promise<void> {
    try {
      while (this.queued && !this.stopping) {
        const width = this.queued;
        this.queued = null;
        await this.claimAndBegin(width);
      }
    } catch (error) {
      // The database is unreachable: the next poll tries again.
      this.queued = null;
      this.log.error({ err: error }, 'claiming jobs failed');
    } finally {
      this.ticking = null;
    }
  }

  private async claimAndBegin(width: Width): Promise<void> {
    const free = this.concurrency - this.running.size;
    if (free <= 0) return;
    const jobs = await claimJobs(this.db, { node: this.node, limit: width === 'all' ? free : Math.min(width, free), now: this.now(), lockMs: this.lockMs, kinds: this.kinds });
    let handedBack = 0;
    for (const job of jobs) if (!this.begin(job)) handedBack++;
    // Only a full claim (the poll's) can tell that targets are no longer crowded.
    if (width === 'all') this.crowded = handedBack > 0;
    else if (handedBack > 0) this.crowded = true;
  }

  /** Starts a claimed job, or hands it back; true when it started. */
  private begin(job: JobRow): boolean {
    const handler = this.handlers[job.kind];
    if (!handler || this.stopping) {
      this.track(this.handBack(job, undefined));
      return false;
    }
    let payload: unknown = null;
    let target: string | null = null;
    let problem: string | null = null;
    try {
      payload = JSON.parse(job.payload) as unknown;
      target = handler.target?.(job, payload) ?? null;
    } catch (error) {
      problem = `cannot read the job: ${describe(error)}`;
    }
    const slot = target === null ? () => {} : this.limiter.tryAcquire(target);
    if (!slot) {
      this.track(this.handBack(job, this.now() + this.pollMs));
      return false;
    }
    const entry: Running = { job, abort: new AbortController() };
    this.running.set(job.id, entry);
    const run = async (): Promise<void> => {
      const outcome: JobOutcome = problem === null ? await this.runHandler(handler, entry, payload) : { status: 'failed', error: problem };
      await this.settle(job, outcome);
    };
    this.track(
      run()
        .catch((error: unknown) => this.log.error({ err: error, jobId: job.id }, 'recording a job outcome failed'))
        .finally(() => {
          slot();
          this.running.delete(job.id);
          this.request(this.crowded ? 1 : 'all');
        }),
    );
    return true;
  }

  private async runHandler(handler: JobHandler, entry: Running, payload: unknown): Promise<JobOutcome> {
    const { job, abort } = entry;
    const context: JobContext = {
      job,
      payload,
      now: this.now,
      signal: abort.signal,
      setProgress: async (progress) => {
        const held = await setJobProgress(this.db, { id: job.id, node: this.node, progress }, this.now());
        if (!held) abort.abort(new Error('this node no longer holds the job'));
      },
    };
    try {
      return await handler.run(context);
    } catch (error) {
      return { status: 'retry', error: describe(error), retryable: true };
    }
  }

  private async settle(job: JobRow, outcome: JobOutcome): Promise<void> {
    const held = { id: job.id, node: this.node };
    const now = this.now();
    let recorded: boolean;
    if (outcome.status === 'done') {
      recorded = await completeJob(this.db, { ...held, result: outcome.result }, now);
    } else if (outcome.status === 'retry') {
      const error = describe(outcome.error);
      const next = nextRunOrGiveUp(job.tries, now, job.deadline_at, this.random(), outcome.retryAfterMs ?? 0);
      recorded = next.retry
        ? (await retryJob(this.db, { ...held, runAt: next.runAt, error }, now)).outcome !== 'lock_lost'
        : await failJob(this.db, { ...held, error }, now);
    } else {
      recorded = await failJob(this.db, { ...held, error: describe(outcome.error) }, now);
    }
    if (!recorded) this.log.warn({ jobId: job.id, kind: job.kind }, 'job outcome not recorded: this node no longer held it');
  }

  private async handBack(job: JobRow, runAt: number | undefined): Promise<void> {
    try {
      await releaseJob(this.db, { id: job.id, node: this.node, ...(runAt === undefined ? {} : { runAt }) }, this.now());
    } catch (error) {
      // Left running under our lock: it is claimed again once the lock expires.
      this.log.error({ err: error, jobId: job.id }, 'handing a job back failed');
    }
  }

  private async heartbeat(): Promise<void> {
    if (this.running.size === 0 || this.beating) return;
    this.beating = true;
    try {
      const ids = [...this.running.keys()];
      const now = this.now();
      const held = new Set(await extendJobLocks(this.db, { node: this.node, ids, lockedUntil: now + this.lockMs }, now));
      for (const id of ids) if (!held.has(id)) this.running.get(id)?.abort.abort(new Error('this node no longer holds the job'));
    } catch (error) {
      this.log.error({ err: error }, 'extending job locks failed');
    } finally {
      this.beating = false;
    }
  }

  private track(promise: Promise<void>): void {
    this.work.add(promise);
    void promise.finally(() => this.work.delete(promise));
  }
}
