import { CompiledQuery, type Kysely, sql } from 'kysely';
import { isSqlite } from '../dialect.js';
import { prepareOnPostgres } from '../prepared-statements.js';
import type { Database } from '../schema.js';
import type { AttemptValuesTable } from '../tables/attempts.js';
import { chunks, isPreparedSize, sizedChunks } from './chunks.js';
import { CompiledInsert, CompiledShapes } from './compiled-shapes.js';
import { bigintArray, integerArray, textArray } from './pg-arrays.js';
import { pointsToHistory, resolveValues } from './value-pointers.js';

type Db = Kysely<Database>;

export type ValueRow = AttemptValuesTable;

const valueUpsert = new CompiledInsert<ValueRow>(['attempt_id', 'key', 'value', 'updated_at', 'session_rank', 'seq', 'history_session_id'], (db, rows) =>
  (db as unknown as Db)
    .insertInto('attempt_values')
    .values(rows)
    .onConflict((oc) =>
      oc
        .columns(['attempt_id', 'key'])
        .doUpdateSet((eb) => ({
          value: eb.ref('excluded.value'),
          updated_at: eb.ref('excluded.updated_at'),
          session_rank: eb.ref('excluded.session_rank'),
          seq: eb.ref('excluded.seq'),
          history_session_id: eb.ref('excluded.history_session_id'),
        }))
        .where((eb) =>
          eb.or([
            eb('excluded.session_rank', '>', eb.ref('attempt_values.session_rank')),
            eb.and([eb('excluded.session_rank', '=', eb.ref('attempt_values.session_rank')), eb('excluded.seq', '>=', eb.ref('attempt_values.seq'))]),
          ]),
        ),
    ),
);

/**
 * The current-value row for a write of `element` by `batch`. A long value points at the batch
 * in the history instead of being copied (value-pointers.ts); `mayPoint` is false for the
 * values the state reads (readStateValues), which are always kept inline.
 */
export function valueRow(batch: { attemptId: number; sessionId: string; seq: number }, element: { k: string; v: string }, now: number, rank: number, mayPoint: boolean): ValueRow {
  const point = pointsToHistory(element.v, mayPoint);
  return {
    attempt_id: batch.attemptId,
    key: element.k,
    value: point ? '' : element.v,
    updated_at: now,
    session_rank: rank,
    seq: batch.seq,
    history_session_id: point ? batch.sessionId : null,
  };
}

/**
 * Upserts current values, but only over values written earlier: by an older session, or by
 * an earlier batch of the same one. Each (attempt, key) must appear once: PostgreSQL refuses
 * to update a row twice in one statement.
 */
export async function upsertValues(db: Db, rows: ValueRow[]): Promise<void> {
  if (rows.length === 0) return;
  if (!isSqlite(db)) {
    await db.executeQuery(CompiledQuery.raw(VALUE_UPSERT_ARRAYS, valueColumns(rows)));
    return;
  }
  for (const part of sizedChunks(rows)) await db.executeQuery(valueUpsert.compile(db, part));
}

/**
 * PostgreSQL's form of the same upsert: every column of the rows as one array parameter.
 * With a parameter per row and column, PostgreSQL sets up an expression for each of them on
 * every run (thousands per group), and the writer encodes each one separately; measured alone,
 * 1,000 rows took 10.3–11.1 ms this way against 12.2–12.6 ms (docs/performance.md). The
 * conflict rule is the one above, word for word.
 */
const VALUE_UPSERT_ARRAYS = `insert into attempt_values (attempt_id, key, value, updated_at, session_rank, seq, history_session_id)
select * from unnest($1::bigint[], $2::text[], $3::text[], $4::bigint[], $5::bigint[], $6::integer[], $7::text[])
on conflict (attempt_id, key) do update set value = excluded.value, updated_at = excluded.updated_at, session_rank = excluded.session_rank, seq = excluded.seq, history_session_id = excluded.history_session_id
where excluded.session_rank > attempt_values.session_rank or (excluded.session_rank = attempt_values.session_rank and excluded.seq >= attempt_values.seq)`;
prepareOnPostgres(VALUE_UPSERT_ARRAYS);

function valueColumns(rows: ValueRow[]): Buffer[] {
  return [
    bigintArray(rows.map((r) => r.attempt_id)),
    textArray(rows.map((r) => r.key)),
    textArray(rows.map((r) => r.value)),
    bigintArray(rows.map((r) => r.updated_at)),
    bigintArray(rows.map((r) => r.session_rank)),
    integerArray(rows.map((r) => r.seq)),
    textArray(rows.map((r) => r.history_session_id)),
  ];
}

/** When each of these client sessions was opened (their rank); sessions never opened are absent. */
export async function sessionRanks(db: Db, attemptIds: number[]): Promise<Array<{ attempt_id: number; session_id: string; opened_at: number }>> {
  if (attemptIds.length === 0) return [];
  return db.selectFrom('attempt_sessions').select(['attempt_id', 'session_id', 'opened_at']).where('attempt_id', 'in', attemptIds).execute();
}

/** Records client sessions that have no row yet; an existing row is left as it is. */
export async function recordSessions(db: Db, rows: Array<{ attempt_id: number; session_id: string; opened_at: number }>): Promise<void> {
  for (const part of chunks(rows)) {
    await db
      .insertInto('attempt_sessions')
      .values(part.map((r) => ({ ...r, session_time_ms: 0 })))
      .onConflict((oc) => oc.columns(['attempt_id', 'session_id']).doNothing())
      .execute();
  }
}

export async function upsertSessionTimes(db: Db, rows: Array<{ attempt_id: number; session_id: string; session_time_ms: number; opened_at: number }>): Promise<void> {
  for (const part of chunks(rows)) {
    await db
      .insertInto('attempt_sessions')
      .values(part)
      // Session time only grows within a session: a late, older batch must not shrink it.
      .onConflict((oc) =>
        oc
          .columns(['attempt_id', 'session_id'])
          .doUpdateSet((eb) => ({ session_time_ms: eb.ref('excluded.session_time_ms') }))
          .where((eb) => eb('excluded.session_time_ms', '>', eb.ref('attempt_sessions.session_time_ms'))),
      )
      .execute();
  }
}

/**
 * The current values of one attempt: everything a resume needs, in one read. A value that
 * points at the history comes with its batch (one index probe each), and is read from it.
 */
export async function readValues(db: Db, attemptId: number): Promise<Array<{ key: string; value: string }>> {
  const rows = await db
    .selectFrom('attempt_values as v')
    .leftJoin('attempt_history as h', (join) => join.onRef('h.attempt_id', '=', 'v.attempt_id').onRef('h.session_id', '=', 'v.history_session_id').onRef('h.seq', '=', 'v.seq'))
    .select(['v.key', 'v.value', 'v.history_session_id', 'h.elements'])
    .where('v.attempt_id', '=', attemptId)
    .execute();
  return resolveValues(rows);
}

/** Current values that decide an attempt's state (status, scores, objectives); these never point at the history (valueRow). */
export async function readStateValues(
  db: Db,
  attemptIds: number[],
): Promise<Array<{ attempt_id: number; key: string; value: string; session_rank: number; seq: number }>> {
  if (attemptIds.length === 0) return [];
  return db
    .selectFrom('attempt_values')
    .select(['attempt_id', 'key', 'value', 'session_rank', 'seq'])
    .where('attempt_id', 'in', attemptIds)
    .where((eb) =>
      eb.or([
        eb('key', 'in', ['cmi.completion_status', 'cmi.success_status', 'cmi.core.lesson_status']),
        eb('key', 'like', 'cmi.score.%'),
        eb('key', 'like', 'cmi.core.score.%'),
        eb('key', 'like', 'cmi.objectives.%'),
      ]),
    )
    .execute();
}

export async function sumSessionTimes(db: Db, attemptId: number): Promise<number> {
  const row = await db
    .selectFrom('attempt_sessions')
    .select(sql<number>`coalesce(sum(session_time_ms), 0)`.as('total'))
    .where('attempt_id', '=', attemptId)
    .executeTakeFirst();
  return Number(row?.total ?? 0);
}
