import { parentPort, workerData } from 'node:worker_threads';
import type { Kysely } from 'kysely';
import { postgresKysely } from '../store/database.js';
import type { Database } from '../store/schema.js';
import { openSqliteConnection, sqliteKysely } from '../store/sqlite-connection.js';
import { AttemptStateCache } from './attempt-state-cache.js';
import { saveAttemptBatches } from './save-attempt-batches.js';
import type { WriteReply, WriteRequest, WriterTarget } from './attempt-write-thread.js';

/**
 * The attempt writer's thread: runs each group commit on connections of its own, so the
 * event loop that parses and acknowledges socket traffic no longer builds or executes the
 * statements, and the statements' round trips are not held up behind that traffic.
 * On SQLite groups arrive one at a time (one lane), in order; on PostgreSQL each lane's
 * group runs on a connection of the thread's pool, several at once.
 */
const { target } = workerData as { target: WriterTarget };
const port = parentPort;
if (port === null) throw new Error('attempt-write-worker must run as a worker thread');
const db: Kysely<Database> =
  target.kind === 'sqlite'
    ? sqliteKysely(openSqliteConnection(target.file))
    : postgresKysely(target.url, target.connections, (error) => process.stderr.write(`attempt writer: an idle connection failed (${error.message})\n`));
// State values between groups live here, beside the connections that write them. Lanes split
// attempts between them, so two groups in flight never share an attempt.
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
