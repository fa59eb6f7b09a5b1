/**
 * Latency samples and their percentiles. A run records tens of thousands of samples at
 * most, so every sample is kept and sorted once: exact percentiles, no bucket error to
 * explain next to a p99.
 */
export interface LatencySummary {
  count: number;
  meanMs: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
}

export interface LatencyRecorder {
  record(ms: number): void;
  summary(): LatencySummary;
}

/** Nearest-rank percentile (the smallest sample with at least p% of samples at or below it). */
export function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] ?? Number.NaN;
}

export function createLatencyRecorder(initialCapacity = 1 << 16): LatencyRecorder {
  let samples = new Float64Array(initialCapacity);
  let count = 0;
  return {
    record(ms) {
      if (count === samples.length) {
        const grown = new Float64Array(samples.length * 2);
        grown.set(samples);
        samples = grown;
      }
      samples[count++] = ms;
    },
    summary() {
      const sorted = samples.slice(0, count).sort();
      let total = 0;
      for (const value of sorted) total += value;
      return {
        count,
        meanMs: count === 0 ? Number.NaN : total / count,
        p50Ms: percentile(sorted, 50),
        p90Ms: percentile(sorted, 90),
        p99Ms: percentile(sorted, 99),
        maxMs: count === 0 ? Number.NaN : (sorted[count - 1] ?? Number.NaN),
      };
    },
  };
}
