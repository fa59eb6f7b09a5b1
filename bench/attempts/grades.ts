import { sql } from 'kysely';
import { openStore } from '../../src/store/database.js';
import { type FastFakeLms, startFastFakeLms } from '../passback/fast-fake-lms.js';

/** Where the students' grades went during the run: what the LMS saw and what the server recorded. */
export interface GradeReport {
  /** Null when the launches named no outcome service (`--lms none`). */
  lmsLatencyMs: number | null;
  /** replaceResult requests the LMS accepted (signature and body hash checked) and refused. */
  lmsAccepted: number;
  lmsRefused: number;
  lmsMaxInFlight: number;
  /** The server's audit rows of sends, by outcome. */
  audit: Record<string, number>;
  /** grade-passback jobs when the run ended, by state (pending ones are still coalescing). */
  jobs: Record<string, number>;
}

/**
 * The LMS the students' launches name as their outcome service: the passback benchmark's fake,
 * answering each replaceResult after `latencyMs` (real gradebooks take 50–500 ms). The server
 * sends every grade to it through its job runner while the load runs, as it would in use.
 */
export function startBenchLms(consumer: { key: string; secret: string }, latencyMs: number): Promise<FastFakeLms> {
  return startFastFakeLms(consumer, { latencyMs });
}

/** Counts the audit rows and the grade jobs (read through the project's store, like the loss check). */
export async function readGradeReport(env: Record<string, string>, lms: FastFakeLms | null, latencyMs: number): Promise<GradeReport> {
  const store = await openStore({ databaseUrl: env.DATABASE_URL ?? null, dataDir: env.DATA_DIR ?? '.', poolSize: 2 });
  try {
    const audit = await store.db.selectFrom('grade_reports').select(['outcome', sql<number>`count(*)`.as('n')]).groupBy('outcome').execute();
    const jobs = await store.db.selectFrom('jobs').select(['state', sql<number>`count(*)`.as('n')]).where('kind', '=', 'grade-passback').groupBy('state').execute();
    const stats = lms?.stats();
    return {
      lmsLatencyMs: lms === null ? null : latencyMs,
      lmsAccepted: stats?.accepted ?? 0,
      lmsRefused: stats?.refused ?? 0,
      lmsMaxInFlight: stats?.maxInFlight ?? 0,
      audit: Object.fromEntries(audit.map((r) => [r.outcome, Number(r.n)])),
      jobs: Object.fromEntries(jobs.map((r) => [r.state, Number(r.n)])),
    };
  } finally {
    await store.close();
  }
}
