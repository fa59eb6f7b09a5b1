import { Worker } from 'node:worker_threads';
import type { BatchOutcome, IncomingBatch } from './save-attempt-batches.js';

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

interface Waiting {
  resolve: (outcomes: BatchOutcome[]) => void;
  reject: (error: Error) => void;
}

/**
 * The event loop's side of the SQLite attempt writer thread (attempt-write-worker.ts). The
 * thread starts with the first group (most servers and tests never write attempt data) and is
 * started again if it dies: the groups it had are refused, and their clients send them again,
 * as after any failed write (nothing unacknowledged is lost: the player keeps it).
 */
export class AttemptWriteThread {
  private worker: Worker | null = null;
  private nextId = 1;
  private readonly waiting = new Map<number, Waiting>();

  constructor(private readonly file: string) {}

  save(batches: IncomingBatch[], now: number): Promise<BatchOutcome[]> {
    const worker = this.worker ?? this.start();
    const id = this.nextId++;
    worker.ref();
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      worker.postMessage({ type: 'save', id, batches, now } satisfies WriteRequest);
    });
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
    const worker = new Worker(BOOTSTRAP, { eval: true, workerData: { entry, loader, file: this.file } });
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
    if ('outcomes' in reply) waiting.resolve(reply.outcomes);
    else waiting.reject(new AttemptWriteError(reply.error));
  }

  private failAll(worker: Worker, message: string): void {
    if (this.worker === worker) this.worker = null;
    const waiting = [...this.waiting.values()];
    this.waiting.clear();
    for (const w of waiting) w.reject(new AttemptWriteError(message));
  }
}
