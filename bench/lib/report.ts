import type { Machine } from './machine.js';

export interface RunResult {
  scenario: string;
  database: string;
  databaseVersion: string;
  databaseSettings: string;
  concurrency: number;
  warmupSeconds: number;
  durationSeconds: number;
  /** Successful iterations in the measured phase. */
  succeeded: number;
  errors: Record<string, number>;
  perSecond: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  meanMs: number;
  serverRssMiB: number;
  /** Server process CPU over the measured phase, in cores (1.0 = one core busy). */
  serverCpuCores: number;
  /** Bench process CPU (load generation, signing), in cores. */
  clientCpuCores: number;
  /** PostgreSQL server CPU over the measured phase, in cores; 0 for SQLite (it runs inside the server). */
  databaseCpuCores: number;
  /** The rest of the machine's CPU over the measured phase (kernel threads, other jobs): should be ~0. */
  otherCpuCores: number;
  /** Machine CPU busy in the second before the run, when the server was idle: should be ~0. */
  backgroundCpuCores: number;
  /** Bench process CPU to prepare one iteration (e.g. sign a launch), in microseconds. */
  clientCostMicros: number;
}

const ms = (value: number): string => (Number.isFinite(value) ? value.toFixed(1) : '–');
const cores = (value: number): string => (Number.isFinite(value) ? value.toFixed(2) : '–');

export function errorCount(result: RunResult): number {
  return Object.values(result.errors).reduce((a, b) => a + b, 0);
}

export function machineLines(machine: Machine, postgres: string | null): string[] {
  return [
    `- CPU: ${machine.cpuModel}, ${machine.cpuCount} cores (shared by the server, the database and the load generator)`,
    `- Memory: ${machine.memoryGiB} GiB`,
    `- OS: ${machine.os}`,
    `- Node.js: ${machine.node}`,
    `- SQLite: ${machine.sqlite}`,
    ...(postgres ? [`- PostgreSQL: ${postgres}`] : []),
    `- Database files on: ${machine.tempFileSystem}`,
  ];
}

export function resultTable(results: RunResult[]): string[] {
  const lines = [
    '| Database | Concurrency | Launches/s | p50 ms | p90 ms | p99 ms | max ms | Errors | Server RSS MiB | Server CPU | DB CPU | Bench CPU | Other CPU |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of results) {
    lines.push(
      `| ${r.database} | ${r.concurrency} | ${Math.round(r.perSecond)} | ${ms(r.p50Ms)} | ${ms(r.p90Ms)} | ${ms(r.p99Ms)} | ${ms(r.maxMs)} | ${errorCount(r)} | ${Math.round(r.serverRssMiB)} | ${r.serverCpuCores.toFixed(2)} | ${cores(r.databaseCpuCores)} | ${r.clientCpuCores.toFixed(2)} | ${r.otherCpuCores.toFixed(2)} |`,
    );
  }
  return lines;
}

export function errorLines(results: RunResult[]): string[] {
  const lines: string[] = [];
  for (const r of results) {
    const count = errorCount(r);
    if (count === 0) continue;
    const detail = Object.entries(r.errors).map(([label, n]) => `${label}: ${n}`).join(', ');
    lines.push(`!!! ${r.database} (concurrency ${r.concurrency}): ${count} FAILED ${r.scenario} iterations (${detail})`);
  }
  return lines;
}

/** Runs that shared the machine with other work: worth a rerun before anyone quotes them. */
export function noiseLines(results: RunResult[], threshold: number): string[] {
  return results
    .filter((r) => r.otherCpuCores > threshold)
    .map((r) => `Note: ${r.database} (concurrency ${r.concurrency}) shared the machine with other processes (${r.otherCpuCores.toFixed(2)} cores): rerun on an idle machine before quoting it.`);
}
