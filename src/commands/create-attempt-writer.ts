import type { Store } from '../store/database.js';
import { AttemptWriteThread } from './attempt-write-thread.js';
import { AttemptWriter } from './attempt-writer.js';

/**
 * The attempt writer for a store. PostgreSQL runs several groups at once over the pool (the
 * database does the work in its own processes). SQLite has one writer anyway, and its
 * statements run on the calling thread: they go to a thread of their own, so the event loop
 * only parses, validates and acknowledges (docs/performance.md).
 */
export function createAttemptWriter(store: Store, now: () => number): AttemptWriter {
  if (store.databaseUrl !== null) {
    const lanes = 4;
    const thread = new AttemptWriteThread({ kind: 'postgres', url: store.databaseUrl, connections: lanes });
    return new AttemptWriter(store.db, {
      lanes,
      now,
      saveGroup: (batches, at) => thread.save(batches, at),
      onClose: () => thread.close(),
      onWarm: () => thread.warm(),
    });
  }
  if (store.sqliteFile === null) throw new Error('a store is either SQLite or PostgreSQL');
  // The store's gate: the thread and the serving connection take turns at the write lock
  // rather than meet it inside SQLite (sqlite-write-gate.ts).
  const thread = new AttemptWriteThread({ kind: 'sqlite', file: store.sqliteFile }, store.sqliteGate);
  return new AttemptWriter(store.db, {
    lanes: 1,
    now,
    pipelined: true,
    depth: 2,
    saveGroup: (batches, at) => thread.save(batches, at),
    onClose: () => thread.close(),
    onWarm: () => thread.warm(),
  });
}
