import { Worker } from 'node:worker_threads';
import { encodeHistoryElements } from '../store/repositories/attempt-history.js';
import type { SqliteWriteGate } from '../store/sqlite-write-gate.js';
import type { BatchOutcome, IncomingBatch } from './save-attempt-batches.js';

/** What the writer thread writes to: the SQLite file, or PostgreSQL with a pool of `connections`. */
export type WriterTarget = { kind: 'sqlite'; file: string } | { kind: 'postgres'; url: string; connections: number };

export type WriteRequest = { type: 'save'; id: number; batches: IncomingBatch[]; now: number } | { type: 'close' };
export type WriteReply = { id: number; outcomes: BatchOutcome[] } | { id: number; error: string };

/** A group the writer thread could not store: nothing of it was committed. */
export class AttemptWriteError extends Error {
  override readonly name = 'AttemptWriteError';
}

// From the TypeScript sources (tests, tsx) the worker registers tsx's loader before importing
// its entry; the build runs the compiled .js directly. Plain CommonJS, evaluated from a string.
const BOOTSTRAP = `
const { workerData } = require('node:worker_threads');
(async () => {
  if (workerData.loader) (await import(workerData.loader)).register();
  await import(workerData.entry);
})().catch((error) => { console.error(error); process.exit(1); });
`;

function workerEntry(): { entry: string; loader: string | null } {
  const fromSources = import.meta.url.endsWith('.ts');
  return {
    entry: new URL(fromSources ? './attempt-write-worker.ts' : './attempt-write-worker.js', import.meta.url).href,
    loader: fromSources ? import.meta.resolve('tsx/esm/api') : null,
  };
}

/**
 * The thread's young generation. A group's batches, their history JSON and the statements'
 * parameters live for one transaction (100–200 ms under load, tens of megabytes); with V8's
 * default young generation they outlived it and were promoted, and the old generation's
 * collections took a seventh of the thread (docs/performance.md).
 */
const YOUNG_GENERATION_MB = 192;

interface Waiting {
  resolve: (outcomes: BatchOutcome[]) => void;
  reject: (error: Error) => void;
}

/**
 * The event loop's side of the attempt writer thread (attempt-write-worker.ts), for SQLite or
 * PostgreSQL (`target`; a string is a SQLite file). The thread starts with the first group
 * (most servers and tests never write attempt data) and is started again if it dies: the
 * groups it had are refused, and their clients send them again, as after any failed write
 * (nothing unacknowledged is lost: the player keeps it).
 *
 * On SQLite the thread takes its turn at the write lock on the event loop's side (`gate`, shared
 * with the serving connection: sqlite-write-gate.ts) before a group is handed over, and keeps it
 * while it has groups, so a second group can wait in the thread while the first is written.
 * When the serving connection is waiting for a turn, no further group is handed over: the
 * thread finishes the ones it has, the turn ends, and the next group waits for the next turn.
 * So neither connection ever waits for the other inside SQLite.
 */
export class AttemptWriteThread {
  private worker: Worker | null = null;
  private nextId = 1;
  private readonly waiting = new Map<number, Waiting>();
  /** Ends the thread's turn at the gate; null when it has none. */
  private turn: (() => void) | null = null;
  private turnStarting: Promise<void> | null = null;
  private turnEndWaiters: Array<() => void> = [];

  private readonly target: WriterTarget;

  constructor(
    target: WriterTarget | string,
    private readonly gate: SqliteWriteGate | null = null,
  ) {
    this.target = typeof target === 'string' ? { kind: 'sqlite', file: target } : target;
  }

  save(batches: IncomingBatch[], now: number): Promise<BatchOutcome[]> {
    // On SQLite the history's encoding is done here, on the event loop, which has time to spare
    // under load; the thread, which is the bound, then only runs the statements
    // (docs/performance.md). On PostgreSQL the event loop is the busier of the two.
    const encoded = this.target.kind === 'postgres' ? batches : batches.map((b) => (b.encodedElements === undefined ? { ...b, encodedElements: encodeHistoryElements(b.elements) } : b));
    // Handed over at once when the turn is already the thread's (or there is no gate).
    const turn = this.gate === null || (this.turn !== null && this.gate.queued === 0) ? null : this.takeTurn();
    return turn === null ? this.post(encoded, now) : turn.then(() => this.post(encoded, now));
  }

  private post(batches: IncomingBatch[], now: number): Promise<BatchOutcome[]> {
    let worker: Worker;
    try {
      worker = this.worker ?? this.start();
    } catch (error) {
      this.endTurnIfIdle();
      return Promise.reject(error);
    }
    const id = this.nextId++;
    worker.ref();
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      worker.postMessage({ type: 'save', id, batches, now } satisfies WriteRequest);
    });
  }

  /** Resolves holding the thread's turn at the gate (at once when it holds one and nobody else waits). */
  private async takeTurn(): Promise<void> {
    const gate = this.gate;
    if (gate === null) return;
    for (;;) {
      if (this.turn !== null && gate.queued === 0) return;
      if (this.turn !== null) {
        // The serving connection waits: let the groups in the thread finish, which ends the turn.
        await new Promise<void>((resolve) => this.turnEndWaiters.push(resolve));
        continue;
      }
      this.turnStarting ??= gate.acquire().then((release) => {
        this.turn = release;
        this.turnStarting = null;
      });
      await this.turnStarting;
      return;
    }
  }

  private endTurnIfIdle(): void {
    if (this.waiting.size > 0 || this.turn === null) return;
    const release = this.turn;
    this.turn = null;
    release();
    const waiters = this.turnEndWaiters;
    this.turnEndWaiters = [];
    for (const wake of waiters) wake();
  }

  /** Starts the thread now rather than with the first group (a server about to take traffic). */
  warm(): void {
    this.worker ??= this.start();
  }

  /** Closes the thread's connection and waits for it to exit. Call when nothing is queued. */
  async close(): Promise<void> {
    const worker = this.worker;
    if (worker === null) return;
    this.worker = null;
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    worker.postMessage({ type: 'close' } satisfies WriteRequest);
    await exited;
  }

  /** Stops the thread at once: the groups it has are refused (their clients send them again). */
  async terminate(): Promise<void> {
    const worker = this.worker;
    if (worker === null) return;
    await worker.terminate();
  }

  private start(): Worker {
    const { entry, loader } = workerEntry();
    const worker = new Worker(BOOTSTRAP, { eval: true, workerData: { entry, loader, target: this.target }, resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB } });
    // An idle writer must not keep a finished process alive; waiting groups keep it referenced.
    worker.unref();
    worker.on('message', (reply: WriteReply) => this.settle(reply));
    worker.on('error', (error) => this.failAll(worker, `the attempt writer thread failed: ${error.message}`));
    worker.on('exit', (code) => this.failAll(worker, `the attempt writer thread exited (code ${code})`));
    this.worker = worker;
    return worker;
  }

  private settle(reply: WriteReply): void {
    const waiting = this.waiting.get(reply.id);
    if (!waiting) return;
    this.waiting.delete(reply.id);
    if (this.waiting.size === 0) this.worker?.unref();
    this.endTurnIfIdle();
    if ('outcomes' in reply) waiting.resolve(reply.outcomes);
    else waiting.reject(new AttemptWriteError(reply.error));
  }

  private failAll(worker: Worker, message: string): void {
    if (this.worker === worker) this.worker = null;
    const waiting = [...this.waiting.values()];
    this.waiting.clear();
    // A thread that died mid-transaction left no lock behind (SQLite rolls it back when its
    // connection goes), so the turn can end.
    this.endTurnIfIdle();
    for (const w of waiting) w.reject(new AttemptWriteError(message));
  }
}
