/**
 * Migration 0007: a database holding history as one row per element (and a separate table of
 * stored batch keys) is moved to one history row per batch, with nothing lost or reordered,
 * and a resend of a batch stored before the migration is still recognised afterwards.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import SQLite from 'better-sqlite3';
import { join } from 'node:path';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, sql } from 'kysely';
import pg from 'pg';
import { saveAttemptBatches } from '../../src/commands/save-attempt-batches.js';
import { openStore, type Store } from '../../src/store/database.js';
import { migrationProvider } from '../../src/store/migrations/index.js';
import { readHistory, readHistoryBatches } from '../../src/store/repositories/attempt-history.js';
import { createEmptyDatabase, databaseKinds, type EmptyDatabase } from '../helpers/test-store.js';

const NOW = 1_790_000_000_000;

/** Rows as the schema before 0007 held them: two attempts, three batches, one of them empty. */
async function seedOldHistory(db: Kysely<unknown>): Promise<void> {
  const run = (text: string) => sql.raw(text).execute(db);
  await run(`insert into consumers (id, key, secret_sealed, created_at) values (1, 'k', 's', ${NOW})`);
  await run(`insert into users (id, consumer_id, lti_user_id, created_at, updated_at) values (1, 1, 'alice', ${NOW}, ${NOW})`);
  await run(`insert into resources (id, consumer_id, created_at, updated_at) values (1, 1, ${NOW}, ${NOW})`);
  await sql`insert into package_blobs (sha256, size, data, created_at) values ('abc', 1, ${Buffer.from([0])}, ${NOW})`.execute(db);
  await run(`insert into package_versions (id, resource_id, sha256, scorm_version, launch_path, file_count, uncompressed_bytes, created_at) values (1, 1, 'abc', '2004', 'index.html', 1, 1, ${NOW})`);
  for (const id of [1, 2]) {
    await run(`insert into attempts (id, resource_id, user_id, package_version_id, started_at, updated_at) values (${id}, 1, 1, 1, ${NOW}, ${NOW})`);
  }
  const batches: Array<[attempt: number, session: string, seq: number, at: number]> = [
    [1, 'session-a', 1, NOW + 1],
    [1, 'session-a', 2, NOW + 2],
    [2, 'session-b', 1, NOW + 3],
    [1, 'session-c', 1, NOW + 4],
  ];
  for (const [attempt, session, seq, at] of batches) {
    await run(`insert into attempt_batches (attempt_id, session_id, seq, received_at) values (${attempt}, '${session}', ${seq}, ${at})`);
  }
  const elements: Array<[attempt: number, key: string, value: string, client: number | null, at: number, session: string, seq: number]> = [
    [1, 'cmi.location', 'p1', NOW, NOW + 1, 'session-a', 1],
    [1, 'cmi.suspend_data', '{"a":"it\'s \\"quoted\\""}', null, NOW + 1, 'session-a', 1],
    [2, 'cmi.location', 'other', NOW + 2, NOW + 3, 'session-b', 1],
    [1, 'cmi.location', 'p2', NOW + 1, NOW + 2, 'session-a', 2],
    // session-c's batch 1 was a terminate batch with no elements.
  ];
  for (const [attempt, key, value, client, at, session, seq] of elements) {
    await sql`insert into attempt_elements (attempt_id, key, value, client_time, server_time, session_id, seq) values (${attempt}, ${key}, ${value}, ${client}, ${at}, ${session}, ${seq})`.execute(db);
  }
}

for (const kind of databaseKinds()) {
  describe(`history migration to one row per batch on ${kind}`, () => {
    let empty: EmptyDatabase;
    let store: Store;
    before(async () => {
      empty = await createEmptyDatabase(kind);
      const old: Kysely<unknown> =
        kind === 'sqlite'
          ? new Kysely({ dialect: new SqliteDialect({ database: new SQLite(join(empty.dataDir, 'lti-exam-provider.sqlite')) }) })
          : new Kysely({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: empty.databaseUrl ?? '', max: 1 }) }) });
      const { error } = await new Migrator({ db: old, provider: migrationProvider }).migrateTo('0006-launch-subject');
      assert.equal(error, undefined);
      await seedOldHistory(old);
      await old.destroy();
      // Opening the store runs the remaining migrations, 0007 among them.
      store = await openStore({ databaseUrl: empty.databaseUrl, dataDir: empty.dataDir });
    });
    after(async () => {
      await store?.close();
      await empty?.drop();
    });

    it('keeps every element with its key, value, times, session and sequence, in stored order', async () => {
      assert.deepEqual(await readHistory(store.db, 1), [
        { key: 'cmi.location', value: 'p1', client_time: NOW, server_time: NOW + 1, session_id: 'session-a', seq: 1 },
        { key: 'cmi.suspend_data', value: '{"a":"it\'s \\"quoted\\""}', client_time: null, server_time: NOW + 1, session_id: 'session-a', seq: 1 },
        { key: 'cmi.location', value: 'p2', client_time: NOW + 1, server_time: NOW + 2, session_id: 'session-a', seq: 2 },
      ]);
      assert.deepEqual(await readHistory(store.db, 2), [{ key: 'cmi.location', value: 'other', client_time: NOW + 2, server_time: NOW + 3, session_id: 'session-b', seq: 1 }]);
      const batches = await readHistoryBatches(store.db, 1);
      assert.deepEqual(
        batches.map((b) => [b.session_id, b.seq, b.elements.length]),
        [
          ['session-a', 1, 2],
          ['session-a', 2, 1],
          ['session-c', 1, 0],
        ],
        'a batch with no elements is kept too',
      );
    });

    it('still recognises a resend of a batch stored before the migration', async () => {
      await sql`insert into attempt_sessions (attempt_id, session_id, opened_at) values (1, 'session-a', ${NOW})`.execute(store.db);
      const outcomes = await saveAttemptBatches(store.db, [{ attemptId: 1, sessionId: 'session-a', seq: 2, elements: [{ k: 'cmi.location', v: 'p2', t: NOW + 1 }], terminate: false, writerRole: 'student' }], NOW + 10);
      assert.deepEqual(outcomes, [{ status: 'acked', seq: 2, ended: false }]);
      assert.equal((await readHistory(store.db, 1)).length, 3, 'the resend added nothing');
    });
  });
}
