import { parentPort, workerData } from 'node:worker_threads';
import { openSqliteConnection, sqliteKysely } from '../store/sqlite-connection.js';
import { AttemptStateCache } from './attempt-state-cache.js';
import { saveAttemptBatches } from './save-attempt-batches.js';
import type { WriteReply, WriteRequest } from './attempt-write-thread.js';

/**
 * The attempt writer's thread (SQLite): runs each group commit on a connection of its own,
 * so the event loop that parses and acknowledges socket traffic no longer executes the
 * statements. Groups arrive one at a time (the writer has one lane on SQLite), in order.
 */
const { file } = workerData as { file: string };
const port = parentPort;
if (port === null) throw new Error('attempt-write-worker must run as a worker thread');
const database = openSqliteConnection(file);
const db = sqliteKysely(database);
// State values between groups live here now, beside the connection that writes them.
const cache = new AttemptStateCache();

port.on('message', (message: WriteRequest) => {
  if (message.type === 'close') {
    void db.destroy().then(() => port.close());
    return;
  }
  saveAttemptBatches(db, message.batches, message.now, cache).then(
    (outcomes) => port.postMessage({ id: message.id, outcomes } satisfies WriteReply),
    (error: unknown) => port.postMessage({ id: message.id, error: error instanceof Error ? error.message : String(error) } satisfies WriteReply),
  );
});
