import { type Kysely, type OnConflictBuilder, type OnConflictUpdateBuilder, type RawBuilder, sql } from 'kysely';
import type { GradeEvent } from '../domain/report-timing.js';
import { isSqlite } from '../store/dialect.js';
import { prepareOnPostgres } from '../store/prepared-statements.js';
import { bigintArray, textArray } from '../store/repositories/pg-arrays.js';
import type { Database } from '../store/schema.js';

export const GRADE_PASSBACK_KIND = 'grade-passback';

/** A burst of answers (a student clicking through) sends one grade: the job waits this long, and later requests join it. */
export const GRADE_REFRESH_DELAY_MS = 3_000;

/**
 * The job's own deadline. The handler gives up at OUTCOME_DEADLINE_HOURS after the first
 * request; this is only the outer bound the runner enforces: a day beyond the largest setting allowed (90 days).
 */
export const GRADE_JOB_MAX_DEADLINE_MS = 91 * 24 * 3600_000;

/** A later deadline moves a pending job's only when it is this much later (the bound is 91 days). */
const DEADLINE_SLACK_MS = 3600_000;

/** 10 parameters a row: 500 rows stay well under SQLite's and PostgreSQL's limits. */
const CHUNK_ROWS = 500;

export interface GradeRefreshItem {
  resourceId: number;
  userId: number;
  event: GradeEvent;
}

/** The payload of a grade-passback job. */
export interface GradePassbackPayload {
  resourceId: number;
  userId: number;
  event: GradeEvent;
}

/**
 * How strongly an event asks for a send: each event reports under every timing the weaker
 * ones do, and more (see shouldReport). When requests coalesce the strongest is kept, so an
 * 'attempt-completed' (sent under on_completion) is not lost behind a later 'score-changed'
 * (which is not).
 */
export const EVENT_STRENGTH: Record<GradeEvent, number> = {
  'score-changed': 1,
  'attempt-completed': 2,
  'access-changed': 3,
  'deadline-passed': 3,
  manual: 4,
};

export function gradeJobKey(resourceId: number, userId: number): string {
  return `grade:${resourceId}:${userId}`;
}

/** Fixed key order, so the SQL below can find the event in the text without a JSON function (which the two dialects spell differently). */
export function gradePayloadText(p: GradePassbackPayload): string {
  return JSON.stringify({ resourceId: p.resourceId, userId: p.userId, event: p.event });
}

export function strongerEvent(a: GradeEvent, b: GradeEvent): GradeEvent {
  return EVENT_STRENGTH[b] > EVENT_STRENGTH[a] ? b : a;
}

function strengthOf(payload: RawBuilder<string>): RawBuilder<number> {
  const cases = (Object.entries(EVENT_STRENGTH) as Array<[GradeEvent, number]>).map(
    ([event, strength]) => sql`when ${payload} like ${sql.lit(`%"event":"${event}"%`)} then ${sql.lit(strength)}`,
  );
  return sql<number>`(case ${sql.join(cases, sql` `)} else 0 end)`;
}

/**
 * Queues a grade send for each (resource, user): one INSERT … ON CONFLICT for the whole list,
 * so the attempt writer can call it inside its group-commit transaction at the cost of one
 * statement. A pending job with the same key absorbs the request: it keeps the earlier run
 * time (a burst does not postpone the send forever), the later deadline (to the hour) and the
 * stronger event; a request that changes none of them leaves the row as it is.
 * Call `services.jobs.wake()` after the transaction commits.
 */
export async function enqueueGradeRefresh(
  trx: Kysely<Database>,
  items: GradeRefreshItem[],
  now: number,
  options: { delayMs?: number } = {},
): Promise<void> {
  if (items.length === 0) return;
  // One row per key: the same statement cannot touch one conflict target twice (PostgreSQL refuses).
  const byKey = new Map<string, GradeRefreshItem>();
  for (const item of items) {
    const key = gradeJobKey(item.resourceId, item.userId);
    const seen = byKey.get(key);
    byKey.set(key, seen ? { ...item, event: strongerEvent(seen.event, item.event) } : item);
  }
  const runAt = now + (options.delayMs ?? GRADE_REFRESH_DELAY_MS);
  const deadlineAt = now + GRADE_JOB_MAX_DEADLINE_MS;
  // Keys in one order, so two transactions queueing overlapping students lock them in the same order (no deadlock).
  const rows = [...byKey].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([key, item]) => ({
    kind: GRADE_PASSBACK_KIND,
    key,
    payload: gradePayloadText(item),
    state: 'pending' as const,
    tries: 0,
    run_at: runAt,
    deadline_at: deadlineAt,
    resource_id: item.resourceId,
    created_at: now,
    updated_at: now,
  }));
  if (!isSqlite(trx)) {
    // One statement whatever the count, the varying columns as binary arrays (pg-arrays.ts),
    // the same text every time (prepared once per connection): the group commit runs this
    // with a row per answer that changed a score (docs/performance.md).
    const query = trx
      .insertInto('jobs')
      .columns(['kind', 'key', 'payload', 'state', 'tries', 'run_at', 'deadline_at', 'resource_id', 'created_at', 'updated_at'])
      .expression(
        sql`select cast(${GRADE_PASSBACK_KIND} as text), v.key, v.payload, cast(${'pending'} as text), 0, cast(${runAt} as bigint), cast(${deadlineAt} as bigint), v.resource_id, cast(${now} as bigint), cast(${now} as bigint)
            from unnest(cast(${textArray(rows.map((r) => r.key))} as text[]), cast(${textArray(rows.map((r) => r.payload))} as text[]), cast(${bigintArray(rows.map((r) => r.resource_id))} as bigint[])) as v(key, payload, resource_id)`,
      )
      .onConflict(onPendingConflict)
      .compile();
    prepareOnPostgres(query.sql);
    await trx.executeQuery(query);
    return;
  }
  // The hook sends a few rows; a report of thousands is cut to stay under the bound-parameter limits.
  for (let i = 0; i < rows.length; i += CHUNK_ROWS) {
    await trx.insertInto('jobs').values(rows.slice(i, i + CHUNK_ROWS)).onConflict(onPendingConflict).execute();
  }
}

const pending = sql<string>`jobs.payload`;
const incoming = sql<string>`excluded.payload`;

/**
 * A pending job with the same key absorbs the request (see enqueueGradeRefresh). The literal
 * matches the partial unique index's predicate (PostgreSQL needs to see it).
 */
function onPendingConflict(oc: OnConflictBuilder<Database, 'jobs'>): OnConflictUpdateBuilder<Database, 'jobs'> {
  return oc
    .column('key')
    .where('state', '=', sql.lit('pending'))
    .doUpdateSet({
      payload: sql<string>`case when ${strengthOf(incoming)} >= ${strengthOf(pending)} then excluded.payload else jobs.payload end`,
      run_at: sql<number>`case when excluded.run_at < jobs.run_at then excluded.run_at else jobs.run_at end`,
      deadline_at: sql<number>`case when excluded.deadline_at > jobs.deadline_at then excluded.deadline_at else jobs.deadline_at end`,
      updated_at: sql<number>`excluded.updated_at`,
    })
    // A request that changes nothing that matters writes nothing. Under load a student's
    // answers come faster than the send waits, and each would otherwise rewrite the pending
    // row (a page in the group commit's transaction per answer) only to move its bookkeeping.
    .where((eb) =>
      eb.or([
        eb.and([eb(strengthOf(incoming), '>=', strengthOf(pending)), eb('excluded.payload', '<>', eb.ref('jobs.payload'))]),
        eb('excluded.run_at', '<', eb.ref('jobs.run_at')),
        eb('excluded.deadline_at', '>', sql<number>`jobs.deadline_at + ${sql.lit(DEADLINE_SLACK_MS)}`),
      ]),
    );
}
