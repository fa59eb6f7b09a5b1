import { percentile } from '../lib/latency.js';

export interface AckLatency {
  count: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
}

/**
 * What one phase measured, from the clients' side: every batch's time from send to ack
 * (the player's view of "saved"), and how many elements were acknowledged in the window.
 */
export interface PhaseStats {
  name: string;
  sentBatches: number;
  sentElements: number;
  ackedBatches: number;
  ackedElements: number;
  /** Elements acknowledged before the phase's deadline: its throughput counts only these. */
  ackedInWindow: number;
  refused: number;
  record(ms: number): void;
  latencies(): AckLatency;
}

export function createPhaseStats(name: string): PhaseStats {
  // Every sample is kept (a run has a few hundred thousand at most): exact percentiles.
  const samples: number[] = [];
  return {
    name,
    sentBatches: 0,
    sentElements: 0,
    ackedBatches: 0,
    ackedElements: 0,
    ackedInWindow: 0,
    refused: 0,
    record(ms) {
      samples.push(ms);
    },
    latencies() {
      // bench/lib/latency's recorder reports p90, not the p95 the acceptance text asks for.
      const sorted = Float64Array.from(samples).sort();
      return {
        count: sorted.length,
        p50Ms: percentile(sorted, 50),
        p95Ms: percentile(sorted, 95),
        p99Ms: percentile(sorted, 99),
        maxMs: sorted.length === 0 ? Number.NaN : (sorted[sorted.length - 1] ?? Number.NaN),
      };
    },
  };
}

/** One phase's line in the report. */
export interface PhaseResult {
  name: string;
  /** Wall clock (epoch ms) of the phase, to find its batches in the database afterwards. */
  startedAt: number;
  endedAt: number;
  seconds: number;
  sentBatches: number;
  ackedBatches: number;
  ackedElements: number;
  elementsPerSecond: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
  refused: number;
  /** Batches still unacknowledged when the phase gave up waiting: counted as lost. */
  unacked: number;
  serverRssMiB: number;
  serverCpuCores: number;
  /** Of which the main thread (the event loop): at 1.0 it is the bound. */
  serverEventLoopCores: number;
  databaseCpuCores: number;
  clientCpuCores: number;
  /** Everything else the machine ran meanwhile (other jobs, kernel threads): should be ~0. */
  otherCpuCores: number;
  /**
   * Group commit, read back from attempt_history: every batch of one transaction has the same
   * received_at, so distinct values ≈ transactions (two in the same millisecond count as one).
   */
  transactions: number;
  batchesPerTransaction: number;
}
