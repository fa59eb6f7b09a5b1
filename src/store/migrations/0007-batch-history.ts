import { type Generated, type Kysely, sql } from 'kysely';
import { isSqlite, reference, withId } from './column-types.js';

/**
 * Frozen: an attempt's history is kept one row per stored batch (its session, sequence number,
 * server time, and its elements, each with key, value and client time, as JSON), in place of
 * one row per element beside a separate table of stored batch keys.
 *
 * The row is also the batch's idempotency record: its unique (attempt, session, seq) is what
 * makes a resent batch a no-op. One row and one index entry per answer instead of four rows,
 * their index entries and a key row with its own index: the group commit writes a third fewer
 * pages per answer (docs/performance.md).
 *
 * Existing history is moved over attempt by attempt, keeping the order it was stored in.
 */
/** The tables as this migration finds them (frozen here: later changes to src/store/tables do not apply). */
interface Tables {
  attempts: { id: number };
  attempt_batches: { attempt_id: number; session_id: string; seq: number; received_at: number };
  attempt_elements: { id: number; attempt_id: number; session_id: string; seq: number; key: string; value: string; client_time: number | null; server_time: number };
  attempt_history: { id: Generated<number>; attempt_id: number; session_id: string; seq: number; received_at: number; elements: string };
}

export async function up(untyped: Kysely<unknown>): Promise<void> {
  const db = untyped as unknown as Kysely<Tables>;
  await withId(untyped, untyped.schema.createTable('attempt_history'))
    .addColumn('attempt_id', 'bigint', (c) => reference('attempts')(c.notNull()))
    .addColumn('session_id', 'text', (c) => c.notNull())
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('received_at', 'bigint', (c) => c.notNull())
    .addColumn('elements', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('attempt_history_batch').unique().on('attempt_history').columns(['attempt_id', 'session_id', 'seq']).execute();
  if (!isSqlite(untyped)) {
    // Updated by every answer: leave room on each page so PostgreSQL can update a row in place
    // (a HOT update: no new index entries) instead of moving it to another page.
    await sql`alter table attempts set (fillfactor = 70)`.execute(untyped);
    await sql`alter table attempt_values set (fillfactor = 70)`.execute(untyped);
  }

  const CHUNK = 200;
  let after = 0;
  for (;;) {
    const attempts = await db.selectFrom('attempts').select('id').where('id', '>', after).orderBy('id').limit(CHUNK).execute();
    if (attempts.length === 0) break;
    const ids = attempts.map((a) => Number(a.id));
    after = ids[ids.length - 1] as number;
    const batches = await db.selectFrom('attempt_batches').select(['attempt_id', 'session_id', 'seq', 'received_at']).where('attempt_id', 'in', ids).execute();
    const elements = await db
      .selectFrom('attempt_elements')
      .select(['id', 'attempt_id', 'session_id', 'seq', 'key', 'value', 'client_time', 'server_time'])
      .where('attempt_id', 'in', ids)
      .orderBy('id')
      .execute();
    const rows = new Map<string, { attempt_id: number; session_id: string; seq: number; received_at: number; first: number; elements: Array<[string, string, number | null]> }>();
    const keyOf = (r: { attempt_id: number; session_id: string; seq: number }): string => `${r.attempt_id}\u0000${r.session_id}\u0000${r.seq}`;
    for (const b of batches) rows.set(keyOf(b), { attempt_id: Number(b.attempt_id), session_id: b.session_id, seq: b.seq, received_at: Number(b.received_at), first: Number.MAX_SAFE_INTEGER, elements: [] });
    for (const e of elements) {
      let row = rows.get(keyOf(e));
      if (!row) {
        // Elements whose batch key is missing (none are expected) are kept all the same.
        row = { attempt_id: Number(e.attempt_id), session_id: e.session_id, seq: e.seq, received_at: Number(e.server_time), first: Number(e.id), elements: [] };
        rows.set(keyOf(e), row);
      }
      row.first = Math.min(row.first, Number(e.id));
      row.elements.push([e.key, e.value, e.client_time === null ? null : Number(e.client_time)]);
    }
    const ordered = [...rows.values()].sort((a, b) => a.received_at - b.received_at || a.first - b.first);
    for (let i = 0; i < ordered.length; i += 500) {
      await db
        .insertInto('attempt_history')
        .values(ordered.slice(i, i + 500).map((r) => ({ attempt_id: r.attempt_id, session_id: r.session_id, seq: r.seq, received_at: r.received_at, elements: JSON.stringify(r.elements) })))
        .execute();
    }
  }
  await db.schema.dropTable('attempt_elements').execute();
  await db.schema.dropTable('attempt_batches').execute();
}

export async function down(): Promise<void> {
  throw new Error('0007-batch-history cannot be undone: restore a backup taken before it');
}
