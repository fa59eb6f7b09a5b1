import { percentile } from '../lib/latency.js';
import { historyBatch } from './elements.js';
import { createPhaseStats } from './phase-stats.js';
import { type Target, api, startStudent } from './setup.js';
import type { Student } from './student.js';

export interface ResumeResult {
  historyElements: number;
  /** Keys in the snapshot the launch returned. */
  keys: number;
  runs: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Time to store the history (200 batches over the socket, 10 in flight). */
  buildSeconds: number;
}

const BATCHES = 200;
const BATCH_SIZE = 100;
const IN_FLIGHT = 10;
/** Enough that p99 is not simply the slowest run. */
const RUNS = 200;

/**
 * Resume of a long attempt: one student stores a 20,000-element history (cycling over 500
 * keys), closes the window, and the attempt is opened again RUNS times, one after another.
 * Each open is what a resume costs the server: access check, the current-value snapshot
 * (not the history), a new client session.
 */
export async function measureResume(target: Target, index: number): Promise<{ result: ResumeResult; student: Student }> {
  const student = await startStudent(target, index, 'resume-student');
  await student.connect(target.origin.replace(/^http/, 'ws'));
  const stats = createPhaseStats('resume history');
  const built = performance.now();
  for (let b = 0; b < BATCHES; b++) {
    // A bounded window so the history arrives as a player would send it, not all at once.
    while (student.inFlight.size >= IN_FLIGHT) await new Promise<void>((r) => (student.onAck = r));
    student.send(historyBatch(b, BATCH_SIZE, Date.now()), stats);
  }
  student.onAck = null;
  await student.drain(60_000);
  const buildSeconds = (performance.now() - built) / 1000;
  if (stats.ackedBatches !== BATCHES) throw new Error(`resume history: only ${stats.ackedBatches} of ${BATCHES} batches acknowledged`);
  // Opening the attempt again takes it over from this socket: close it first, as the old tab would.
  student.close();
  // Let the server finish the history's work (and PostgreSQL its WAL flushes) before timing.
  await new Promise((r) => setTimeout(r, 2000));

  const times: number[] = [];
  let keys = 0;
  for (let i = 0; i < RUNS; i++) {
    const began = performance.now();
    const opened = await api(target, student.token, 'GET', `/api/attempts/${student.attemptId}/launch`);
    times.push(performance.now() - began);
    keys = Object.keys((opened.values ?? {}) as Record<string, string>).length;
  }
  const sorted = Float64Array.from(times).sort();
  return {
    student,
    result: {
      historyElements: BATCHES * BATCH_SIZE,
      keys,
      runs: RUNS,
      p50Ms: percentile(sorted, 50),
      p95Ms: percentile(sorted, 95),
      p99Ms: percentile(sorted, 99),
      maxMs: sorted[sorted.length - 1] ?? Number.NaN,
      buildSeconds,
    },
  };
}
