/**
 * Diagnostic, not the benchmark: where the group commit's time goes. Runs saveAttemptBatches
 * in process on groups of answer batches (one per attempt, as under load) and splits each
 * group's time by SQL statement, through Kysely's query log on a second connection to the
 * same database. The rest of a group's time is Kysely building SQL and our own JavaScript.
 *
 *   npx tsx bench/attempts/writer-probe.ts [sqlite|postgres] [students] [group sizes, e.g. 1,100,1000]
 */
import SQLite from 'better-sqlite3';
import { Kysely, type LogEvent, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import { join } from 'node:path';
import { AttemptStateCache } from '../../src/commands/attempt-state-cache.js';
import { type IncomingBatch, saveAttemptBatches } from '../../src/commands/save-attempt-batches.js';
import type { Database } from '../../src/store/schema.js';
import { withStatementCache } from '../../src/store/sqlite-statement-cache.js';
import { bearer, launchAs, newConsumer, uploadAs } from '../../test/helpers/launch.js';
import { startPostgres } from '../../test/helpers/postgres-server.js';
import { buildSamplePackage } from '../../src/scorm/sample-packages.js';
import { answerBatch, startBatches } from './elements.js';
import { postgresCpuCounter } from './postgres-cpu.js';

const kind = process.argv[2] === 'postgres' ? 'postgres' : 'sqlite';
const students = Number(process.argv[3] ?? 1000);
const groups = (process.argv[4] ?? '1,10,100,500,1000').split(',').map(Number);
const ROUNDS = Number(process.env.PROBE_ROUNDS ?? 5);

const postgres = kind === 'postgres' ? await startPostgres({ fsync: true }) : null;
if (postgres) process.env.TEST_PG_URL = postgres.url;
// Imported after TEST_PG_URL is set: the test store reads it.
const { createTestApp } = await import('../../test/helpers/test-app.js');
const t = await createTestApp(kind);
const times = new Map<string, { ms: number; count: number }>();
const log = (event: LogEvent): void => {
  // One line per statement shape: value lists and placeholders collapsed.
  const shape = event.query.sql.replace(/\(\?(, \?)*\)|\(\$\d+(, \$\d+)*\)/g, '(…)').replace(/(, \(…\))+/g, ', …').slice(0, 110);
  const entry = times.get(shape) ?? { ms: 0, count: 0 };
  entry.ms += event.queryDurationMillis;
  entry.count++;
  times.set(shape, entry);
};
try {
  const lms = await newConsumer(t);
  const teacher = await launchAs(t, lms, { userId: 'teacher', role: 'Instructor' });
  await uploadAs(t, teacher, await buildSamplePackage('2004'));
  const open: Array<{ attemptId: number; sessionId: string }> = [];
  for (let i = 0; i < students; i++) {
    const token = await launchAs(t, lms, { userId: `s${i}`, role: 'Learner' });
    const attemptId = (JSON.parse((await t.app.inject({ method: 'POST', url: '/api/attempts', headers: bearer(token) })).body) as { attempt: { id: number } }).attempt.id;
    const sessionId = (JSON.parse((await t.app.inject({ method: 'GET', url: `/api/attempts/${attemptId}/launch`, headers: bearer(token) })).body) as { sessionId: string }).sessionId;
    open.push({ attemptId, sessionId });
  }
  let seq = 1;
  const batch = (a: { attemptId: number; sessionId: string }, elements: IncomingBatch['elements']): IncomingBatch => ({ ...a, seq: seq++, elements, terminate: false, writerRole: 'student' });
  await t.app.services.writer.submitAll(open.flatMap((a) => startBatches(Date.now()).map((e) => batch(a, e))));

  const sqlite = kind === 'sqlite' ? new SQLite(join(t.store.dataDir, 'lti-exam-provider.sqlite')) : null;
  // The server's settings (src/store/database.ts): synchronous is per connection, and FULL, the default, would fsync every commit.
  sqlite?.pragma('synchronous = NORMAL');
  sqlite?.pragma('foreign_keys = ON');
  // PROBE_PRAGMA="wal_autocheckpoint = 0" and the like: try a setting on the probe's connection only.
  if (process.env.PROBE_PRAGMA) sqlite?.pragma(process.env.PROBE_PRAGMA);
  const db =
    sqlite
      ? new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }), log })
      : new Kysely<Database>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: t.store.databaseUrl ?? '', max: 2 }) }), log });
  // The writer's state cache, as the server keeps it between groups (PROBE_NO_CACHE=1: without).
  const cache = process.env.PROBE_NO_CACHE ? null : new AttemptStateCache();
  const databaseCpu = t.store.databaseUrl ? postgresCpuCounter(t.store.databaseUrl) : () => 0;
  for (const size of groups) {
    times.clear();
    let total = 0;
    const cpuBefore = process.cpuUsage();
    const databaseBefore = databaseCpu();
    let walFrames = 0;
    for (let r = 0; r < ROUNDS; r++) {
      const group = open.slice(0, size).map((a) => batch(a, answerBatch(seq, Date.now())));
      // Empty the WAL first, so the frames in it afterwards are this transaction's (a checkpoint
      // inside its COMMIT would reset them: run with PROBE_PRAGMA="wal_autocheckpoint = 0").
      sqlite?.pragma('wal_checkpoint(TRUNCATE)');
      const began = performance.now();
      await saveAttemptBatches(db, group, Date.now(), cache);
      total += performance.now() - began;
      walFrames += (sqlite?.pragma('wal_checkpoint(PASSIVE)') as Array<{ log: number }> | undefined)?.[0]?.log ?? 0;
    }
    const cpu = process.cpuUsage(cpuBefore);
    const databaseSeconds = databaseCpu() - databaseBefore;
    const sql = [...times.values()].reduce((n, e) => n + e.ms, 0);
    console.log(`\ngroup of ${size} batches: ${(total / ROUNDS).toFixed(2)} ms per transaction, ${((total / ROUNDS / size) * 1000).toFixed(0)} µs per batch; SQL ${(sql / ROUNDS).toFixed(2)} ms, the rest ${((total - sql) / ROUNDS).toFixed(2)} ms`);
    // CPU, not time: what the machine spends per batch, which is what limits a saturated server.
    console.log(`  CPU per batch: this process ${(((cpu.user + cpu.system) / ROUNDS / size)).toFixed(1)} µs, PostgreSQL ${((databaseSeconds * 1e6) / ROUNDS / size).toFixed(1)} µs`);
    if (sqlite) console.log(`  WAL: ${((walFrames / ROUNDS) * 4096 / size / 1024).toFixed(1)} KiB per batch (4 KiB pages)`);
    for (const [shape, e] of [...times].sort((a, b) => b[1].ms - a[1].ms)) {
      console.log(`  ${(e.ms / ROUNDS).toFixed(2).padStart(8)} ms  ×${(e.count / ROUNDS).toFixed(0).padStart(5)}  ${shape}`);
    }
  }
  await db.destroy();
} finally {
  await t.close();
  postgres?.stop();
}
