import { type Insertable, type Kysely, sql } from 'kysely';
import type { Database } from '../schema.js';
import type { AttemptElementsTable, AttemptValuesTable } from '../tables/attempts.js';

type Db = Kysely<Database>;

/** Rows per multi-row statement: under SQLite's 32,766 and PostgreSQL's 65,535 bound parameters. */
const CHUNK = 1000;

function chunks<T>(rows: T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += CHUNK) out.push(rows.slice(i, i + CHUNK));
  return out;
}

export interface BatchKey {
  attempt_id: number;
  session_id: string;
  seq: number;
}

/** Records batches; returns the ones that were new (the rest were already stored: resends). */
export async function recordBatches(db: Db, keys: BatchKey[], now: number): Promise<BatchKey[]> {
  const inserted: BatchKey[] = [];
  for (const part of chunks(keys)) {
    const rows = await db
      .insertInto('attempt_batches')
      .values(part.map((k) => ({ ...k, received_at: now })))
      .onConflict((oc) => oc.columns(['attempt_id', 'session_id', 'seq']).doNothing())
      .returning(['attempt_id', 'session_id', 'seq'])
      .execute();
    inserted.push(...rows);
  }
  return inserted;
}

export type ElementRow = Insertable<AttemptElementsTable>;

export async function appendElements(db: Db, rows: ElementRow[]): Promise<void> {
  for (const part of chunks(rows)) await db.insertInto('attempt_elements').values(part).execute();
}

export type ValueRow = AttemptValuesTable;

/**
 * Upserts current values, but only over values written earlier: by an older session, or by
 * an earlier batch of the same one. Each (attempt, key) must appear once: PostgreSQL refuses
 * to update a row twice in one statement.
 */
export async function upsertValues(db: Db, rows: ValueRow[]): Promise<void> {
  for (const part of chunks(rows)) {
    await db
      .insertInto('attempt_values')
      .values(part)
      .onConflict((oc) =>
        oc
          .columns(['attempt_id', 'key'])
          .doUpdateSet((eb) => ({
            value: eb.ref('excluded.value'),
            updated_at: eb.ref('excluded.updated_at'),
            session_rank: eb.ref('excluded.session_rank'),
            seq: eb.ref('excluded.seq'),
          }))
          .where((eb) =>
            eb.or([
              eb('excluded.session_rank', '>', eb.ref('attempt_values.session_rank')),
              eb.and([eb('excluded.session_rank', '=', eb.ref('attempt_values.session_rank')), eb('excluded.seq', '>=', eb.ref('attempt_values.seq'))]),
            ]),
          ),
      )
      .execute();
  }
}

/** When each of these client sessions was opened (their rank); sessions never opened are absent. */
export async function sessionRanks(db: Db, attemptIds: number[]): Promise<Array<{ attempt_id: number; session_id: string; opened_at: number }>> {
  if (attemptIds.length === 0) return [];
  return db.selectFrom('attempt_sessions').select(['attempt_id', 'session_id', 'opened_at']).where('attempt_id', 'in', attemptIds).execute();
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

/** The current values of one attempt: everything a resume needs, in one read. */
export async function readValues(db: Db, attemptId: number): Promise<Array<{ key: string; value: string }>> {
  return db.selectFrom('attempt_values').select(['key', 'value']).where('attempt_id', '=', attemptId).execute();
}

/** Current values that decide an attempt's state (status, scores, objectives). */
export async function readStateValues(db: Db, attemptIds: number[]): Promise<Array<{ attempt_id: number; key: string; value: string }>> {
  if (attemptIds.length === 0) return [];
  return db
    .selectFrom('attempt_values')
    .select(['attempt_id', 'key', 'value'])
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
