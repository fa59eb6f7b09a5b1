import { CompiledQuery, type Kysely, sql } from 'kysely';
import { isSqlite } from '../dialect.js';
import { prepareOnPostgres } from '../prepared-statements.js';
import type { Database } from '../schema.js';
import type { AttemptsTable } from '../tables/attempts.js';
import { isPreparedSize, sizedChunks } from './chunks.js';
import { CompiledShapes } from './compiled-shapes.js';
import { bigintArray, doubleArray, integerArray, textArray } from './pg-arrays.js';

type Db = Kysely<Database>;

/** What one group commit changes on one attempt row. */
export interface AttemptUpdate {
  id: number;
  /** Elements stored for it in this group. */
  elements: number;
  /** Its re-derived state, when the group may have changed it. */
  state: Pick<AttemptsTable, 'completion_status' | 'success_status' | 'score_raw' | 'score_min' | 'score_max' | 'score_scaled' | 'question_scores'> | null;
  /** Set when this group ended the attempt. */
  ended: { ended_at: number; ended_seq: number; session_id: string } | null;
  time_spent_ms: number | null;
}

type SqlType = 'bigint' | 'integer' | 'double precision' | 'text';
type Column = readonly [name: string, sqlType: SqlType, get: (u: AttemptUpdate) => unknown];

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
 * One statement per combination of columns (usually one), not one UPDATE per attempt: on
 * PostgreSQL each statement is a round trip, and the attempt benchmark measured a group's
 * thousand UPDATEs at about a third of its transaction (docs/performance.md).
 * - PostgreSQL: `UPDATE … FROM unnest(…)`, each column one binary array (pg-arrays.ts); with a
 *   parameter per row and column, PostgreSQL built an expression for each on every run and the
 *   writer encoded each one.
 * - SQLite: `UPDATE … FROM (VALUES …)`, whose columns are column1, column2, …. The casts sit
 *   outside the VALUES because casts inside them make SQLite scan every attempt instead of
 *   looking each one up by id.
 */
export async function updateAttemptRows(db: Db, updates: AttemptUpdate[], now: number): Promise<Array<{ id: number; element_count: number }>> {
  if (!isSqlite(db)) return updateWithArrays(db, updates, now);
  const counts: Array<{ id: number; element_count: number }> = [];
  for (const [shape, group] of byShape(updates)) {
    const columns = columnsOf(group[0] as AttemptUpdate);
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

/** Updates that set the same columns, by which ones they set (state, ended, time). */
function byShape(updates: AttemptUpdate[]): Map<string, AttemptUpdate[]> {
  const shapes = new Map<string, AttemptUpdate[]>();
  for (const u of updates) {
    const shape = `${u.state ? 's' : ''}${u.ended ? 'e' : ''}${u.time_spent_ms !== null ? 't' : ''}`;
    const group = shapes.get(shape) ?? [];
    group.push(u);
    shapes.set(shape, group);
  }
  return shapes;
}

function columnsOf(u: AttemptUpdate): Column[] {
  return [ID, ELEMENTS, ...(u.state ? STATE : []), ...(u.ended ? ENDED : []), ...(u.time_spent_ms !== null ? [TIME] : [])];
}

const ARRAY_OF: Record<SqlType, (values: unknown[]) => Buffer> = {
  bigint: (values) => bigintArray(values as Array<number | null>),
  integer: (values) => integerArray(values as Array<number | null>),
  'double precision': (values) => doubleArray(values as Array<number | null>),
  text: (values) => textArray(values as Array<string | null>),
};

/** At most one text per combination of columns (eight): each is prepared once per connection. */
function arraysText(columns: Column[]): string {
  const names = columns.map(([name]) => name);
  const sets = names.slice(1).map((name) => (name === 'element_count' ? 'element_count = attempts.element_count + v.element_count' : `${name} = v.${name}`));
  const arrays = columns.map(([, type], i) => `$${i + 2}::${type}[]`);
  const text = `update attempts set updated_at = $1, ${sets.join(', ')} from unnest(${arrays.join(', ')}) as v(${names.join(', ')}) where attempts.id = v.id returning attempts.id, attempts.element_count`;
  prepareOnPostgres(text);
  return text;
}

async function updateWithArrays(db: Db, updates: AttemptUpdate[], now: number): Promise<Array<{ id: number; element_count: number }>> {
  const counts: Array<{ id: number; element_count: number }> = [];
  for (const group of byShape(updates).values()) {
    const columns = columnsOf(group[0] as AttemptUpdate);
    const parameters: unknown[] = [now, ...columns.map(([, type, get]) => ARRAY_OF[type](group.map(get)))];
    const result = await db.executeQuery(CompiledQuery.raw(arraysText(columns), parameters));
    counts.push(...(result.rows as Array<{ id: number; element_count: number }>));
  }
  return counts;
}
