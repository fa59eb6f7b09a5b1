import { sql } from 'kysely';
import { openStore } from '../../src/store/database.js';
import type { PhaseResult } from './phase-stats.js';
import type { Student } from './student.js';

export interface LossReport {
  /** Batches the clients saw acknowledged. */
  ackedBatches: number;
  ackedElements: number;
  /** Elements of acknowledged batches that are not in attempt_history. */
  missingElements: number;
  /** Elements of batches never acknowledged (counted as lost: the run waited for them). */
  unackedElements: number;
  /** Stored more than once (would break "applied at most once"). */
  duplicatedElements: number;
  lost: number;
}

/**
 * Compares what the clients were told against what the database holds: every acknowledged
 * batch must be in attempt_history with all its elements, and exactly once. Reads through
 * the project's own store on the server's database (SQLite in WAL mode allows a second
 * connection while the server runs).
 */
export async function checkLoss(env: Record<string, string>, students: Student[], phases: PhaseResult[]): Promise<LossReport> {
  const store = await openStore({ databaseUrl: env.DATABASE_URL ?? null, dataDir: env.DATA_DIR ?? '.', poolSize: 2 });
  try {
    for (const phase of phases) {
      const row = await store.db
        .selectFrom('attempt_history')
        .select([sql<number>`count(*)`.as('batches'), sql<number>`count(distinct received_at)`.as('transactions')])
        .where('received_at', '>=', phase.startedAt)
        .where('received_at', '<=', phase.endedAt)
        .executeTakeFirst();
      phase.transactions = Number(row?.transactions ?? 0);
      phase.batchesPerTransaction = phase.transactions === 0 ? 0 : Number(row?.batches ?? 0) / phase.transactions;
    }
    // Counted by the database (the elements column is a JSON array), not decoded here.
    const length = store.dialect === 'sqlite' ? sql<number>`json_array_length(elements)` : sql<number>`json_array_length(elements::json)`;
    const rows = await store.db
      .selectFrom('attempt_history')
      .select(['attempt_id', 'session_id', 'seq', sql<number>`sum(${length})`.as('n')])
      .groupBy(['attempt_id', 'session_id', 'seq'])
      .execute();
    const stored = new Map<string, number>();
    for (const r of rows) stored.set(`${r.attempt_id} ${r.session_id} ${r.seq}`, Number(r.n));
    const report: LossReport = { ackedBatches: 0, ackedElements: 0, missingElements: 0, unackedElements: 0, duplicatedElements: 0, lost: 0 };
    for (const s of students) {
      for (const [seq, elements] of s.acked) {
        const found = stored.get(`${s.attemptId} ${s.sessionId} ${seq}`) ?? 0;
        report.ackedBatches++;
        report.ackedElements += elements;
        if (found < elements) report.missingElements += elements - found;
        if (found > elements) report.duplicatedElements += found - elements;
      }
      for (const batch of s.inFlight.values()) report.unackedElements += batch.elements;
    }
    report.lost = report.missingElements + report.unackedElements;
    return report;
  } finally {
    await store.close();
  }
}
