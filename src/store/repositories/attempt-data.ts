import { type Kysely, sql } from 'kysely';
import type { Database } from '../schema.js';
import type { AttemptValuesTable } from '../tables/attempts.js';
import { chunks, isPreparedSize, sizedChunks } from './chunks.js';
import { CompiledInsert, CompiledShapes } from './compiled-shapes.js';
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
  for (const part of sizedChunks(rows)) await db.executeQuery(valueUpsert.compile(db, part));
}

/** What one group commit changes on one attempt row. */
export interface AttemptUpdate {
  id: number;
  /** Elements stored for it in this group. */
  elements: number;
  /** Its re-derived state, when the group may have changed it. */
  state: {
    completion_status: string | null;
    success_status: string | null;
    score_raw: number | null;
    score_min: number | null;
    score_max: number | null;
    score_scaled: number | null;
    question_scores: string | null;
  } | null;
  /** Set when this group ended the attempt. */
  ended: { ended_at: number; ended_seq: number; session_id: string } | null;
  time_spent_ms: number | null;
}

type Column = readonly [name: string, sqlType: string, get: (u: AttemptUpdate) => unknown];

const ID: Column = ['id', 'bigint', (u) => u.id];
const ELEMENTS: Column = ['element_count', 'bigint', (u) => u.elements];
const STATE: Column[] = (['completion_status', 'success_status', 'question_scores'] as const)
  .map((name): Column => [name, 'text', (u) => u.state?.[name] ?? null])
  .concat((['score_raw', 'score_min', 'score_max', 'score_scaled'] as const).map((name): Column => [name, 'double precision', (u) => u.state?.[name] ?? null]));
const ENDED: Column[] = [
  ['ended_at', 'bigint', (u) => u.ended?.ended_at ?? null],
  ['ended_seq', 'integer', (u) => u.ended?.ended_seq ?? null],
  ['current_session_id', 'text', (u) => u.ended?.session_id ?? null],
];
const TIME: Column = ['time_spent_ms', 'bigint', (u) => u.time_spent_ms];

const attemptUpdates = new CompiledShapes();

/**
 * Returns each updated attempt's element count after the update: the writer compares it
 * with what it expected, to notice another node's write to the same attempt.
 *
 * Applies a group's attempt changes with one `UPDATE … FROM (VALUES …)` per combination of
 * columns (usually one), not one UPDATE per attempt: on PostgreSQL each statement is a round
 * trip, and the attempt benchmark measured a group's thousand UPDATEs at about a third of
 * its transaction (docs/performance.md). VALUES columns are column1, column2, … in both
 * SQLite and PostgreSQL. The casts give PostgreSQL the columns' types (it reads untyped
 * VALUES parameters as text); they sit outside the VALUES because casts inside them make
 * SQLite scan every attempt instead of looking each one up by id.
 */
export async function updateAttemptRows(db: Db, updates: AttemptUpdate[], now: number): Promise<Array<{ id: number; element_count: number }>> {
  const counts: Array<{ id: number; element_count: number }> = [];
  const byShape = new Map<string, AttemptUpdate[]>();
  for (const u of updates) {
    const shape = `${u.state ? 's' : ''}${u.ended ? 'e' : ''}${u.time_spent_ms !== null ? 't' : ''}`;
    const group = byShape.get(shape) ?? [];
    group.push(u);
    byShape.set(shape, group);
  }
  for (const [shape, group] of byShape) {
    const first = group[0] as AttemptUpdate;
    const columns: Column[] = [ID, ELEMENTS, ...(first.state ? STATE : []), ...(first.ended ? ENDED : []), ...(first.time_spent_ms !== null ? [TIME] : [])];
    for (const part of sizedChunks(group)) {
      const parameters: unknown[] = [now];
      for (const u of part) for (const [, , get] of columns) parameters.push(get(u));
      const build = () => {
        const sets = columns.slice(1).map(([name, type], i) => {
          const source = sql`cast(${sql.ref(`v.column${i + 2}`)} as ${sql.raw(type)})`;
          return name === 'element_count' ? sql`element_count = element_count + ${source}` : sql`${sql.id(name)} = ${source}`;
        });
        const rows = part.map((u) => sql`(${sql.join(columns.map(([, , get]) => get(u)))})`);
        return sql`update attempts set updated_at = ${now}, ${sql.join(sets)} from (values ${sql.join(rows)}) as v where attempts.id = cast(v.column1 as bigint) returning id, element_count`.compile(db);
      };
      const result = await db.executeQuery(attemptUpdates.compile(db, `${shape}:${part.length}`, parameters, () => ({ compile: build }), isPreparedSize(part.length)));
      counts.push(...(result.rows as Array<{ id: number; element_count: number }>));
    }
  }
  return counts;
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
