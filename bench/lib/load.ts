import type { Outcome, Scenario } from '../scenarios/scenario.js';
import type { HttpClient } from './http-client.js';
import { type LatencySummary, createLatencyRecorder } from './latency.js';

export interface LoadOptions {
  /** In-flight iterations at all times (a closed loop: each worker starts the next when one ends). */
  concurrency: number;
  durationMs: number;
}

export interface LoadResult {
  iterations: number;
  succeeded: number;
  /** Error counts by label ("HTTP 401", "network ECONNRESET", …). */
  errors: Record<string, number>;
  /** From the first start to the last completion, including the in-flight tail after the deadline. */
  elapsedMs: number;
  perSecond: number;
  latency: LatencySummary;
  /** CPU the bench process used (load generation and signing), as a share of one core. */
  clientCpuCores: number;
}

function labelOf(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  return `network ${code ?? (error instanceof Error ? error.message : String(error))}`;
}

/**
 * Runs `concurrency` workers, each looping over scenario iterations until the deadline;
 * iterations already started when it passes are allowed to finish and are counted, so the
 * slowest requests of the run are never cut from the percentiles.
 */
export async function runLoad(scenario: Scenario, client: HttpClient, options: LoadOptions): Promise<LoadResult> {
  const latency = createLatencyRecorder();
  const errors: Record<string, number> = {};
  let iterations = 0;
  let succeeded = 0;
  const cpuBefore = process.cpuUsage();
  const start = performance.now();
  const deadline = start + options.durationMs;

  const worker = async (): Promise<void> => {
    while (performance.now() < deadline) {
      const began = performance.now();
      let outcome: Outcome;
      try {
        outcome = await scenario.iteration(client);
      } catch (error) {
        outcome = { ok: false, label: labelOf(error) };
      }
      latency.record(performance.now() - began);
      iterations++;
      if (outcome.ok) succeeded++;
      else errors[outcome.label] = (errors[outcome.label] ?? 0) + 1;
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));

  const elapsedMs = performance.now() - start;
  const cpu = process.cpuUsage(cpuBefore);
  return {
    iterations,
    succeeded,
    errors,
    elapsedMs,
    perSecond: (succeeded * 1000) / elapsedMs,
    latency: latency.summary(),
    clientCpuCores: (cpu.user + cpu.system) / 1000 / elapsedMs,
  };
}
