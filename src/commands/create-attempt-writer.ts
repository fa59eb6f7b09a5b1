import type { Store } from '../store/database.js';
import { AttemptWriteThread } from './attempt-write-thread.js';
import { AttemptWriter } from './attempt-writer.js';

/**
 * The attempt writer for a store. The group commits run on a thread of their own, so the event
 * loop only parses, validates and acknowledges (docs/performance.md). On PostgreSQL the thread
 * runs four lanes at once, each on a connection of its own pool: the database does the work
 * in its own processes, and on the event loop each statement's round trip waited behind the
 * socket traffic (with the lanes there, saturation was 24,200–24,700 elements/s; on the thread,
 * 26,100–26,900). Three lanes gave 22,725, six 26,183. SQLite has one writer anyway.
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
