/**
 * Diagnostic, not the benchmark: what folding open-attempt's round trips saves. In one
 * process, on one attempt with a 20,000-element history, it alternates the command as it is
 * (`openAttempt`) with the statements it used to run one after another (the access check's
 * two SELECTs, the rules, the package version, the values, a five-statement session
 * transaction, the learner), so load from anything else on the machine falls on both alike.
 *
 *   npx tsx bench/attempts/resume-probe.ts [sqlite|postgres] [runs]
 */
import { randomBytes } from 'node:crypto';
import { loadAccess } from '../../src/commands/load-access.js';
import { openAttempt } from '../../src/commands/open-attempt.js';
import { readSessionToken } from '../../src/domain/session-token.js';
import { readValues } from '../../src/store/repositories/attempt-data.js';
import { buildSamplePackage } from '../../src/scorm/sample-packages.js';
import { bearer, launchAs, newConsumer, uploadAs } from '../../test/helpers/launch.js';
import { startPostgres } from '../../test/helpers/postgres-server.js';
import { percentile } from '../lib/latency.js';
import { historyBatch } from './elements.js';

const kind = process.argv[2] === 'sqlite' ? 'sqlite' : 'postgres';
const runs = Number(process.argv[3] ?? 200);
const postgres = kind === 'postgres' ? await startPostgres({ fsync: true }) : null;
if (postgres) process.env.TEST_PG_URL = postgres.url;
const { createTestApp } = await import('../../test/helpers/test-app.js');
const t = await createTestApp(kind, {}, { realClock: true });
try {
  const { services } = t.app;
  const db = services.store.db;
  const lms = await newConsumer(t);
  await uploadAs(t, await launchAs(t, lms, { userId: 'teacher', role: 'Instructor' }), await buildSamplePackage('2004'));
  const token = await launchAs(t, lms, { userId: 'resumer', role: 'Learner' });
  const attemptId = (JSON.parse((await t.app.inject({ method: 'POST', url: '/api/attempts', headers: bearer(token) })).body) as { attempt: { id: number } }).attempt.id;
  const sessionId = (JSON.parse((await t.app.inject({ method: 'GET', url: `/api/attempts/${attemptId}/launch`, headers: bearer(token) })).body) as { sessionId: string }).sessionId;
  for (let b = 0; b < 200; b++) {
    await services.writer.submit({ attemptId, sessionId, seq: b + 1, elements: historyBatch(b, 100, Date.now()), terminate: false, writerRole: 'student' });
  }
  const check = readSessionToken(services.sessionKey, token, Date.now());
  if (!check.ok) throw new Error('bad token');
  const session = check.session;
  const keys = { grantKey: services.grantKey, grantTtlSeconds: 3600 };

  /** The statements the command ran before, one after another. */
  const sequential = async (): Promise<void> => {
    const link = await db.selectFrom('resource_links').select('resource_id').where('id', '=', session.resourceLinkId).where('consumer_id', '=', session.consumerId).executeTakeFirstOrThrow();
    const attempt = await db.selectFrom('attempts').selectAll().where('id', '=', attemptId).executeTakeFirstOrThrow();
    if (attempt.resource_id !== link.resource_id) throw new Error('no access');
    await loadAccess(db, attempt.resource_id, attempt.user_id, Date.now());
    await db.selectFrom('package_versions').selectAll().where('id', '=', attempt.package_version_id).executeTakeFirstOrThrow();
    await readValues(db, attemptId);
    const opened = randomBytes(16).toString('hex');
    await db.transaction().execute(async (trx) => {
      const last = await trx.selectFrom('attempt_sessions').select((eb) => eb.fn.max('opened_at').as('latest')).where('attempt_id', '=', attemptId).executeTakeFirst();
      const openedAt = Math.max(Date.now(), Number(last?.latest ?? 0) + 1);
      await trx.updateTable('attempts').set({ current_session_id: opened, updated_at: Date.now() }).where('id', '=', attemptId).execute();
      await trx.insertInto('attempt_sessions').values({ attempt_id: attemptId, session_id: opened, opened_at: openedAt, session_time_ms: 0 }).execute();
    });
    await db.selectFrom('users').selectAll().where('id', '=', attempt.user_id).executeTakeFirstOrThrow();
  };
  const folded = async (): Promise<void> => {
    await openAttempt(db, keys, session, attemptId, 'normal', Date.now());
  };

  const times = { sequential: [] as number[], folded: [] as number[] };
  for (let i = 0; i < runs; i++) {
    for (const [name, run] of i % 2 === 0 ? ([['sequential', sequential], ['folded', folded]] as const) : ([['folded', folded], ['sequential', sequential]] as const)) {
      const began = performance.now();
      await run();
      times[name].push(performance.now() - began);
    }
  }
  for (const [name, list] of Object.entries(times)) {
    const sorted = Float64Array.from(list).sort();
    console.log(`${kind} ${name.padEnd(10)} p50 ${percentile(sorted, 50).toFixed(2)} ms, p95 ${percentile(sorted, 95).toFixed(2)} ms, p99 ${percentile(sorted, 99).toFixed(2)} ms (${runs} runs)`);
  }
} finally {
  await t.close();
  postgres?.stop();
}
