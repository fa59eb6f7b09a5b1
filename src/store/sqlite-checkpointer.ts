import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/** How often the worker copies committed WAL pages back into the database file. */
const INTERVAL_MS = 200;

/**
 * Backstop for each connection's own automatic checkpoint: 64 MiB of WAL (in pages of the
 * file's size). Only reached if the worker falls behind or has died; then a COMMIT pays for a
 * checkpoint again, as it did before, and the WAL stays bounded.
 */
export const BACKSTOP_WAL_BYTES = 64 * 1024 * 1024;

// The worker is plain CommonJS evaluated from this string, so the same code runs from the
// TypeScript sources (tests, tsx) and from the build, with no second entry file to ship.
// A PASSIVE checkpoint never waits for the writer: it copies what is committed and not
// needed by a reader, and the writer then starts the WAL over from its beginning once
// everything in it has been copied back.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const SQLite = require(workerData.driver);
const db = new SQLite(workerData.file);
db.pragma('busy_timeout = 1000');
db.pragma('synchronous = NORMAL');
let failures = 0;
const timer = setInterval(() => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch (error) {
    // SQLITE_BUSY and the like: the next tick tries again; the backstop keeps the WAL bounded.
    if (++failures === 1) parentPort.postMessage({ error: String(error && error.message || error) });
  }
}, workerData.intervalMs);
parentPort.on('message', (message) => {
  if (message !== 'stop') return;
  clearInterval(timer);
  try { db.pragma('wal_checkpoint(PASSIVE)'); } catch {}
  db.close();
  parentPort.close();
});
`;

export interface Checkpointer {
  stop(): Promise<void>;
}

/**
 * Runs WAL checkpoints for `file` on a worker thread with its own connection, so that a
 * COMMIT on the serving connection (which runs on the event loop: better-sqlite3 is
 * synchronous) never copies pages back and fsyncs the database file itself. The attempt
 * benchmark measured that automatic checkpoint at about a quarter of the server's CPU under
 * load (docs/performance.md). Durability is unchanged: a commit is in the WAL before it is
 * acknowledged, whichever thread later copies it back.
 */
export function startCheckpointer(file: string, onError: (message: string) => void = () => {}): Checkpointer {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { driver, file, intervalMs: INTERVAL_MS } });
  // The worker must never keep a finished process alive.
  worker.unref();
  worker.on('message', (message: { error?: string }) => {
    if (message.error) onError(message.error);
  });
  worker.on('error', (error) => onError(error.message));
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  return {
    async stop() {
      // Referenced again so the process waits for the worker to close its connection.
      worker.ref();
      worker.postMessage('stop');
      await exited;
    },
  };
}
