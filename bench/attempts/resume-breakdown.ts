/**
 * Diagnostic, not the benchmark: where a resume's time goes on PostgreSQL. In one process, on
 * one attempt with a 20,000-element history over 500 keys, it times each part of
 * `GET /api/attempts/:id/launch` on its own, round-robin (so load from anything else on the
 * machine falls on every part alike), and the whole route through app.inject.
 *
 *   npx tsx bench/attempts/resume-breakdown.ts [sqlite|postgres] [runs] [part,part,…]
 *
 * Parts: route, command (openAttempt), readsSeparate (the access check, then the rules,
 * version, values and learner concurrently, as before), readsFolded (the one statement as the
 * command runs it), foldedBuilder (the same, built and compiled by Kysely every time),
 * foldedPrepared / foldedUnnamed (the same text on a plain pg client, as a named prepared
 * statement or not: what caching the plan would save), sessionSync (the session statement),
 * sessionSyncNotify (with pg_notify in it), sessionAsyncNotify (that with
 * synchronous_commit off: not used, see the report), notifyAlone, select1, stringify.
 */
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import pg from 'pg';
import { loadAccess } from '../../src/commands/load-access.js';
import { openAttempt } from '../../src/commands/open-attempt.js';
import { requireAttemptAccess } from '../../src/commands/resource-access.js';
import { readValues } from '../../src/store/repositories/attempt-data.js';
import { attemptLaunchQuery, readAttemptLaunch } from '../../src/store/repositories/attempt-launch.js';
import { percentile } from '../lib/latency.js';
import { bearer } from '../../test/helpers/launch.js';
import { resumeFixture } from './resume-fixture.js';

const kind = process.argv[2] === 'sqlite' ? 'sqlite' : 'postgres';
const runs = Number(process.argv[3] ?? 200);
const fixture = await resumeFixture(kind);
const closers: Array<() => Promise<void>> = [];
try {
  const { t, token, attemptId, sessionId, session, keys } = fixture;
  const { services } = t.app;
  const db = services.store.db;
  const attempt = await requireAttemptAccess(db, session, attemptId);
  const launch = await openAttempt(db, keys, session, attemptId, 'normal', Date.now());

  const parts: Record<string, () => Promise<unknown>> = {
    route: () => t.app.inject({ method: 'GET', url: `/api/attempts/${attemptId}/launch`, headers: bearer(token) }),
    command: () => openAttempt(db, keys, session, attemptId, 'normal', Date.now()),
    access: () => requireAttemptAccess(db, session, attemptId),
    loadAccess: () => loadAccess(db, attempt.resource_id, attempt.user_id, Date.now()),
    values: () => readValues(db, attemptId),
    select1: () => sql`select 1`.execute(db),
    stringify: async () => JSON.stringify(launch),
  };
  parts.readsSeparate = async () => {
    const a = await requireAttemptAccess(db, session, attemptId);
    await Promise.all([
      loadAccess(db, a.resource_id, a.user_id, Date.now()),
      db.selectFrom('package_versions').selectAll().where('id', '=', a.package_version_id).executeTakeFirstOrThrow(),
      readValues(db, attemptId),
      db.selectFrom('users').selectAll().where('id', '=', a.user_id).executeTakeFirstOrThrow(),
    ]);
  };
  if (kind === 'postgres') {
    parts.readsFolded = () => readAttemptLaunch(db, session.resourceLinkId, session.consumerId, attemptId);
    parts.foldedBuilder = () => attemptLaunchQuery(db, session.resourceLinkId, session.consumerId, attemptId).executeTakeFirst();
    const compiled = attemptLaunchQuery(db, session.resourceLinkId, session.consumerId, attemptId).compile();
    const client = new pg.Client({ connectionString: t.store.databaseUrl ?? '' });
    await client.connect();
    closers.push(() => client.end());
    parts.foldedUnnamed = () => client.query(compiled.sql, [...compiled.parameters]);
    parts.foldedPrepared = () => client.query({ name: 'resume_read', text: compiled.sql, values: [...compiled.parameters] });
    const open = (async: boolean, notify: boolean) => async () => {
      const id = randomBytes(16).toString('hex');
      const now = Date.now();
      await sql`
        with opened as (
          insert into attempt_sessions (attempt_id, session_id, opened_at, session_time_ms)
          select ${attemptId}::bigint, ${id}::text, greatest(${now}::bigint, coalesce(max(opened_at), 0) + 1), 0
          from attempt_sessions where attempt_id = ${attemptId}
          returning attempt_id
        ), moved as (
          update attempts set current_session_id = ${id}, updated_at = ${now}
          where id = (select attempt_id from opened) returning id
        )
        select ${async ? sql`set_config('synchronous_commit', 'off', true)` : sql`null`} as sc,
          ${notify ? sql`pg_notify('lti_exam_probe', ${id}::text)` : sql`null`} as n
        from moved`.execute(db);
    };
    parts.sessionSync = open(false, false);
    parts.sessionSyncNotify = open(false, true);
    parts.sessionAsyncNotify = open(true, true);
    parts.notifyAlone = () => sql`select pg_notify('lti_exam_probe', 'x')`.execute(db);
  }

  const times = new Map<string, number[]>(Object.keys(parts).map((k) => [k, []]));
  const only = process.argv[4]?.split(',');
  const names = Object.keys(parts).filter((n) => !only || only.includes(n));
  for (let i = 0; i < runs; i++) {
    for (let j = 0; j < names.length; j++) {
      const name = names[(i + j) % names.length] as string;
      const began = performance.now();
      await (parts[name] as () => Promise<unknown>)();
      times.get(name)?.push(performance.now() - began);
    }
  }
  for (const [name, list] of times) {
    if (list.length === 0) continue;
    const sorted = Float64Array.from(list).sort();
    console.log(`${kind} ${name.padEnd(20)} p50 ${percentile(sorted, 50).toFixed(2)} ms, p95 ${percentile(sorted, 95).toFixed(2)} ms, p99 ${percentile(sorted, 99).toFixed(2)} ms`);
  }
} finally {
  for (const close of closers) await close();
  await fixture.close();
}
