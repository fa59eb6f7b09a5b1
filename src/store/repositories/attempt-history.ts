import { CompiledQuery, type Kysely } from 'kysely';
import { isSqlite } from '../dialect.js';
import { prepareOnPostgres } from '../prepared-statements.js';
import type { Database } from '../schema.js';
import { sizedChunks } from './chunks.js';
import { CompiledInsert } from './compiled-shapes.js';
import { bigintArray, integerArray, textArray } from './pg-arrays.js';

type Db = Kysely<Database>;

export interface BatchKey {
  attempt_id: number;
  session_id: string;
  seq: number;
}

/** One stored batch: its key, when it was stored, and its elements in the order they were set. */
export interface HistoryBatch extends BatchKey {
  received_at: number;
  elements: Array<{ k: string; v: string; t: number | null }>;
}

/** One element of the history, as the exam set it. */
export interface HistoryElement {
  key: string;
  value: string;
  client_time: number | null;
  server_time: number;
  session_id: string;
  seq: number;
}

type Stored = [key: string, value: string, clientTime: number | null];

/** The `elements` column: `[[key, value, clientTime | null], …]`, compact and in order. */
export function encodeHistoryElements(elements: HistoryBatch['elements']): string {
  return JSON.stringify(elements.map((e): Stored => [e.k, e.v, e.t]));
}

export function decodeHistoryElements(text: string): HistoryBatch['elements'] {
  return (JSON.parse(text) as Stored[]).map(([k, v, t]) => ({ k, v, t }));
}

interface HistoryRow extends BatchKey {
  received_at: number;
  elements: string;
}

// The group commit's insert, compiled once per row count (compiled-shapes.ts).
const historyInsert = new CompiledInsert<HistoryRow>(['attempt_id', 'session_id', 'seq', 'received_at', 'elements'], (db, rows) =>
  (db as unknown as Db)
    .insertInto('attempt_history')
    .values(rows)
    .onConflict((oc) => oc.columns(['attempt_id', 'session_id', 'seq']).doNothing())
    .returning(['attempt_id', 'session_id', 'seq']),
);

/**
 * PostgreSQL's form of the insert: each column as one binary array (pg-arrays.ts), the rows in
 * the order given, so their ids (the history's order) are too.
 */
const HISTORY_INSERT_ARRAYS = `insert into attempt_history (attempt_id, session_id, seq, received_at, elements)
select * from unnest($1::bigint[], $2::text[], $3::integer[], $4::bigint[], $5::text[])
on conflict (attempt_id, session_id, seq) do nothing
returning attempt_id, session_id, seq`;
prepareOnPostgres(HISTORY_INSERT_ARRAYS);

/** A batch to append; `encoded` is its elements already encoded (encodeHistoryElements), when the caller has them. */
export type NewHistoryBatch = HistoryBatch & { encoded?: string | undefined };

/**
 * Appends batches to their attempts' history; returns the keys of the ones that were new.
 * A batch already stored (a resend) is left as it is and not returned: its key is unique.
 */
export async function appendBatches(db: Db, batches: NewHistoryBatch[]): Promise<BatchKey[]> {
  if (batches.length === 0) return [];
  if (!isSqlite(db)) {
    const params = [
      bigintArray(batches.map((b) => b.attempt_id)),
      textArray(batches.map((b) => b.session_id)),
      integerArray(batches.map((b) => b.seq)),
      bigintArray(batches.map((b) => b.received_at)),
      textArray(batches.map((b) => b.encoded ?? encodeHistoryElements(b.elements))),
    ];
    return (await db.executeQuery(CompiledQuery.raw(HISTORY_INSERT_ARRAYS, params))).rows as BatchKey[];
  }
  const inserted: BatchKey[] = [];
  for (const part of sizedChunks(batches)) {
    const rows = part.map((b) => ({ attempt_id: b.attempt_id, session_id: b.session_id, seq: b.seq, received_at: b.received_at, elements: b.encoded ?? encodeHistoryElements(b.elements) }));
    const result = await db.executeQuery(historyInsert.compile(db, rows));
    inserted.push(...(result.rows as BatchKey[]));
  }
  return inserted;
}

/** An attempt's stored batches, in the order they were stored. */
export async function readHistoryBatches(db: Db, attemptId: number): Promise<HistoryBatch[]> {
  const rows = await db.selectFrom('attempt_history').select(['attempt_id', 'session_id', 'seq', 'received_at', 'elements']).where('attempt_id', '=', attemptId).orderBy('id').execute();
  return rows.map((r) => ({ attempt_id: r.attempt_id, session_id: r.session_id, seq: r.seq, received_at: r.received_at, elements: decodeHistoryElements(r.elements) }));
}

/** An attempt's full history, one entry per value set, in order. */
export async function readHistory(db: Db, attemptId: number): Promise<HistoryElement[]> {
  return (await readHistoryBatches(db, attemptId)).flatMap((b) =>
    b.elements.map((e) => ({ key: e.k, value: e.v, client_time: e.t, server_time: b.received_at, session_id: b.session_id, seq: b.seq })),
  );
}
