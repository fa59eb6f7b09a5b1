/**
 * Diagnostic, not the benchmark: what folding a resume's round trips saves. In one process, on
 * one attempt with a 20,000-element history, it alternates what `GET /api/attempts/:id/launch`
 * does now (`openAttempt`, the takeover announcement sent without waiting, the answer
 * serialized) with what it did before, so load from anything else on the machine falls on
 * both alike:
 *  - sequential: the statements one after another (the access check's two SELECTs, the rules,
 *    the package version, the values, a five-statement session transaction, the learner);
 *  - concurrent: the access check, then the rules, version, values and learner concurrently on
 *    separate pool connections, the session as one statement, then the awaited announcement.
 *
 *   npx tsx bench/attempts/resume-probe.ts [sqlite|postgres] [runs]
 */
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { loadAccess } from '../../src/commands/load-access.js';
import { openAttempt } from '../../src/commands/open-attempt.js';
import { requireAttemptAccess } from '../../src/commands/resource-access.js';
import { readValues } from '../../src/store/repositories/attempt-data.js';
import { percentile } from '../lib/latency.js';
import { resumeFixture } from './resume-fixture.js';

const kind = process.argv[2] === 'sqlite' ? 'sqlite' : 'postgres';
const runs = Number(process.argv[3] ?? 200);
const fixture = await resumeFixture(kind);
try {
  const { t, token, attemptId, sessionId, session, keys } = fixture;
  const { services } = t.app;
  const db = services.store.db;

  /** The session as a transaction of three statements (on PostgreSQL: five round trips with BEGIN and COMMIT). */
  const openTransaction = (opened: string, now: number) =>
    db.transaction().execute(async (trx) => {
      const last = await trx.selectFrom('attempt_sessions').select((eb) => eb.fn.max('opened_at').as('latest')).where('attempt_id', '=', attemptId).executeTakeFirst();
      const openedAt = Math.max(now, Number(last?.latest ?? 0) + 1);
      await trx.updateTable('attempts').set({ current_session_id: opened, updated_at: now }).where('id', '=', attemptId).execute();
      await trx.insertInto('attempt_sessions').values({ attempt_id: attemptId, session_id: opened, opened_at: openedAt, session_time_ms: 0 }).execute();
    });
  const announce = (id: string) => services.events.publish({ type: 'attempt-opened', attemptId, sessionId: id });

  /** The statements the command ran first, one after another. */
  const sequential = async (): Promise<void> => {
    const link = await db.selectFrom('resource_links').select('resource_id').where('id', '=', session.resourceLinkId).where('consumer_id', '=', session.consumerId).executeTakeFirstOrThrow();
    const attempt = await db.selectFrom('attempts').selectAll().where('id', '=', attemptId).executeTakeFirstOrThrow();
    if (attempt.resource_id !== link.resource_id) throw new Error('no access');
    const rules = await loadAccess(db, attempt.resource_id, attempt.user_id, Date.now());
    const version = await db.selectFrom('package_versions').selectAll().where('id', '=', attempt.package_version_id).executeTakeFirstOrThrow();
    const values = await readValues(db, attemptId);
    const opened = randomBytes(16).toString('hex');
    await openTransaction(opened, Date.now());
    const user = await db.selectFrom('users').selectAll().where('id', '=', attempt.user_id).executeTakeFirstOrThrow();
    await announce(opened);
    JSON.stringify({ rules, version, values: Object.fromEntries(values.map((r) => [r.key, r.value])), user });
  };
  /** The previous round: access check, concurrent reads, one-statement session, awaited announcement. */
  const concurrent = async (): Promise<void> => {
    const attempt = await requireAttemptAccess(db, session, attemptId);
    const now = Date.now();
    const [rules, version, values, user] = await Promise.all([
      loadAccess(db, attempt.resource_id, attempt.user_id, now),
      db.selectFrom('package_versions').selectAll().where('id', '=', attempt.package_version_id).executeTakeFirstOrThrow(),
      readValues(db, attemptId),
      db.selectFrom('users').selectAll().where('id', '=', attempt.user_id).executeTakeFirstOrThrow(),
    ]);
    const opened = randomBytes(16).toString('hex');
    if (kind === 'postgres') {
      await sql`
        with opened as (
          insert into attempt_sessions (attempt_id, session_id, opened_at, session_time_ms)
          select ${attemptId}::bigint, ${opened}::text, greatest(${now}::bigint, coalesce(max(opened_at), 0) + 1), 0
          from attempt_sessions where attempt_id = ${attemptId}
          returning attempt_id
        )
        update attempts set current_session_id = ${opened}, updated_at = ${now}
        where id = (select attempt_id from opened)`.execute(db);
    } else {
      await openTransaction(opened, now);
    }
    await announce(opened);
    JSON.stringify({ rules, version, values: Object.fromEntries(values.map((r) => [r.key, r.value])), user });
  };
  /** What the route does now. */
  const folded = async (): Promise<void> => {
    const launch = await openAttempt(db, keys, session, attemptId, 'normal', Date.now());
    announce(launch.sessionId).catch((error: unknown) => console.error(error));
    JSON.stringify(launch);
  };
  const variants = { sequential, concurrent, folded };

  const names = Object.keys(variants) as Array<keyof typeof variants>;
  const times: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  for (let i = 0; i < runs; i++) {
    // Rotate the order, so none always runs right after another's background work.
    for (let j = 0; j < names.length; j++) {
      const name = names[(i + j) % names.length] as keyof typeof variants;
      const began = performance.now();
      await variants[name]();
      times[name]?.push(performance.now() - began);
    }
  }
  for (const [name, list] of Object.entries(times)) {
    const sorted = Float64Array.from(list).sort();
    console.log(`${kind} ${name.padEnd(10)} p50 ${percentile(sorted, 50).toFixed(2)} ms, p95 ${percentile(sorted, 95).toFixed(2)} ms, p99 ${percentile(sorted, 99).toFixed(2)} ms (${runs} runs)`);
  }
} finally {
  await fixture.close();
}
