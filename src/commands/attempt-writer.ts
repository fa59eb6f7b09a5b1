import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.js';
import { AttemptStateCache } from './attempt-state-cache.js';
import { type BatchOutcome, type IncomingBatch, saveAttemptBatches } from './save-attempt-batches.js';

interface Pending {
  batch: IncomingBatch;
  resolve: (outcome: BatchOutcome) => void;
  reject: (error: unknown) => void;
}

interface Lane {
  queue: Pending[];
  /** Groups scheduled (setImmediate) or being written. */
  inFlight: number;
}

export interface AttemptWriterOptions {
  /** Most batches in one transaction. */
  maxBatches?: number;
  /** Transactions in flight at once (1 for SQLite, which has one writer anyway). */
  lanes?: number;
  now?: () => number;
  /**
   * Stores one group in one transaction. By default on this thread with `db`; on SQLite the
   * app passes the writer thread's (attempt-write-thread.ts), which keeps its own state cache.
   */
  saveGroup?: (batches: IncomingBatch[], now: number) => Promise<BatchOutcome[]>;
  /** Called by close(), after the last group: stops what saveGroup runs on. */
  onClose?: () => Promise<void>;
  /** Called by warm(): gets what saveGroup runs on ready before the first group. */
  onWarm?: () => void;
  /**
   * Start the next group as soon as one commits, before its acknowledgements go out (for a
   * writer on another thread, which then works while the event loop sends them). Without it
   * the next group waits one turn of the event loop to gather what the sockets deliver.
   */
  pipelined?: boolean;
  /**
   * Groups a lane may have in flight at once (default 1). With 2, a full group (maxBatches) is
   * handed over while the previous one is still being written, so a writer on another thread
   * finds it waiting when it commits instead of idling until the event loop gets round to
   * its answer. That writer stores groups one after another, in the order given.
   */
  depth?: number;
}

/**
 * Group commit: batches from every connection queue here, and each transaction takes all
 * that arrived while the previous one ran. Under light load a batch is written at once;
 * under heavy load many batches share one transaction (and one fsync), so throughput grows
 * with load instead of collapsing.
 *
 * Batches of one attempt always go to the same lane, and a lane's transactions commit one
 * after another in the order its groups were taken (one at a time, or handed to a writer
 * thread that stores them in turn), so an attempt's batches commit in the order they
 * arrived. The current-value upsert does not rely on it: it never lets an older write
 * replace a newer one (attempt-data.ts upsertValues).
 */
export class AttemptWriter {
  private readonly lanes: Lane[];
  private readonly maxBatches: number;
  private readonly now: () => number;
  private idleWaiters: Array<() => void> = [];
  private readonly saveGroup: (batches: IncomingBatch[], now: number) => Promise<BatchOutcome[]>;
  private readonly onClose: () => Promise<void>;
  private readonly onWarm: () => void;
  private readonly pipelined: boolean;
  private readonly depth: number;
  transactions = 0;
  batchesWritten = 0;

  constructor(
    private readonly db: Kysely<Database>,
    options: AttemptWriterOptions = {},
  ) {
    this.maxBatches = options.maxBatches ?? 1000;
    this.lanes = Array.from({ length: Math.max(1, options.lanes ?? 1) }, () => ({ queue: [], inFlight: 0 }));
    this.now = options.now ?? Date.now;
    // Stored on this thread by default, with attempts' state values kept between groups
    // (attempt-state-cache.ts; checked against the database each time).
    const stateCache = options.saveGroup ? null : new AttemptStateCache();
    this.saveGroup = options.saveGroup ?? ((batches, now) => saveAttemptBatches(this.db, batches, now, stateCache));
    this.onClose = options.onClose ?? (() => Promise.resolve());
    this.onWarm = options.onWarm ?? (() => {});
    this.pipelined = options.pipelined ?? false;
    this.depth = Math.max(1, options.depth ?? 1);
  }

  submit(batch: IncomingBatch): Promise<BatchOutcome> {
    const lane = this.lanes[batch.attemptId % this.lanes.length] as Lane;
    return new Promise((resolve, reject) => {
      lane.queue.push({ batch, resolve, reject });
      this.pump(lane);
    });
  }

  submitAll(batches: IncomingBatch[]): Promise<BatchOutcome[]> {
    return Promise.all(batches.map((b) => this.submit(b)));
  }

  /** Resolves when nothing is queued or being written (for shutdown). */
  idle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Gets ready for the first group now (the writer thread takes a moment to start). */
  warm(): void {
    this.onWarm();
  }

  /** Waits for queued groups, then stops the writer thread (if any). */
  async close(): Promise<void> {
    await this.idle();
    await this.onClose();
  }

  /** Batches waiting for a transaction, for monitoring. */
  get queued(): number {
    return this.lanes.reduce((n, lane) => n + lane.queue.length, 0);
  }

  private isIdle(): boolean {
    return this.lanes.every((lane) => lane.inFlight === 0 && lane.queue.length === 0);
  }

  /**
   * Starts the lane's next group if it is free. `gathered`: called as a group finishes, when
   * whatever arrived during its write is already queued, so the next group starts at once.
   */
  private pump(lane: Lane, gathered = false): void {
    if (lane.queue.length === 0) {
      if (this.isIdle()) {
        const waiters = this.idleWaiters;
        this.idleWaiters = [];
        for (const wake of waiters) wake();
      }
      return;
    }
    if (lane.inFlight === 0) {
      lane.inFlight++;
      if (gathered) {
        void this.write(lane, lane.queue.splice(0, this.maxBatches));
        return;
      }
      // Gather first, then write: start the transaction after every socket that is readable
      // now has delivered its messages (setImmediate runs after the event loop's I/O phase).
      // Started at once, a SQLite transaction (synchronous under Kysely's promises) would
      // run to its end inside the first message's callback, before the next message is
      // even read: the attempt benchmark measured 1.5 batches per transaction at saturation
      // (docs/performance.md). The wait is one turn of the event loop, so an idle server
      // still writes a lone batch at once.
      setImmediate(() => void this.write(lane, lane.queue.splice(0, this.maxBatches)));
    } else if (lane.inFlight < this.depth && lane.queue.length >= this.maxBatches) {
      lane.inFlight++;
      void this.write(lane, lane.queue.splice(0, this.maxBatches));
    }
  }

  private async save(group: Pending[]): Promise<BatchOutcome[]> {
    const outcomes = await this.saveGroup(group.map((p) => p.batch), this.now());
    this.transactions++;
    this.batchesWritten += group.length;
    return outcomes;
  }

  private async write(lane: Lane, group: Pending[]): Promise<void> {
    let outcomes: BatchOutcome[];
    try {
      outcomes = await this.save(group);
    } catch (error) {
      await this.writeOneByOne(group, error);
      lane.inFlight--;
      this.pump(lane);
      return;
    }
    // The next group first, then this one's acknowledgements: a pipelined writer (the SQLite
    // writer thread) stores the next group while the event loop sends them, instead of
    // waiting for it (docs/performance.md). Order per attempt is kept: the next group is
    // stored after this one, which has committed.
    lane.inFlight--;
    this.pump(lane, this.pipelined);
    group.forEach((p, i) => p.resolve(outcomes[i] as BatchOutcome));
  }

  /**
   * Nothing in a failed group was stored (one transaction). One bad batch must not sink the
   * others: retry them one by one, in order, so only a batch that fails again is refused.
   */
  private async writeOneByOne(group: Pending[], error: unknown): Promise<void> {
    if (group.length === 1) {
      group[0]?.reject(error);
      return;
    }
    for (const p of group) {
      try {
        const [outcome] = await this.save([p]);
        p.resolve(outcome as BatchOutcome);
      } catch (single) {
        p.reject(single);
      }
    }
  }
}
