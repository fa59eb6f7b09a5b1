import { startMachineCpuWindow } from '../lib/machine-cpu.js';
import { seededRandom } from '../lib/random.js';
import { ANSWER_ELEMENTS, answerJson, startBatches } from './elements.js';
import { type PhaseResult, type PhaseStats, createPhaseStats } from './phase-stats.js';
import type { Student } from './student.js';

/** Reads the server's (and PostgreSQL's) resource use, for the phase report. */
export interface Probe {
  serverCpuSeconds(): number;
  /** The server's main thread (event loop) alone. */
  serverEventLoopCpuSeconds(): number;
  serverRssMiB(): number;
  databaseCpuSeconds(): number;
}

/** How long a phase waits for the last acks before it counts what is left as lost. */
const DRAIN_TIMEOUT_MS = 60_000;
const ANSWER_PERIOD_MS = 30_000;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * One timer for every student, not 5,000 intervals: `offsets` (sorted, in ms from the start)
 * repeat every `periodMs` until `durationMs`; fire(i) runs for each due entry. A late tick
 * fires everything that fell due meanwhile, so the offered rate holds even if the event
 * loop stalls.
 */
export async function runSchedule(offsets: number[], periodMs: number, durationMs: number, fire: (i: number, round: number) => void): Promise<void> {
  const start = performance.now();
  let index = 0;
  let round = 0;
  for (;;) {
    // round 0 first: Infinity × 0 is NaN, and a one-shot schedule has an infinite period.
    const due = (offsets[index] ?? 0) + (round === 0 ? 0 : round * periodMs);
    if (due >= durationMs) return;
    const wait = due - (performance.now() - start);
    if (wait > 1) await sleep(wait);
    fire(index, round);
    if (++index === offsets.length) {
      index = 0;
      round++;
    }
  }
}

function sortedOffsets(count: number, spanMs: number, seed: number): number[] {
  const random = seededRandom(seed);
  return Array.from({ length: count }, () => random() * spanMs).sort((a, b) => a - b);
}

async function measure(name: string, students: Student[], probe: Probe, body: (stats: PhaseStats) => Promise<number>): Promise<PhaseResult> {
  const stats = createPhaseStats(name);
  const cpu = process.cpuUsage();
  const server = probe.serverCpuSeconds();
  const eventLoop = probe.serverEventLoopCpuSeconds();
  const database = probe.databaseCpuSeconds();
  const started = performance.now();
  const startedAt = Date.now();
  const machine = startMachineCpuWindow();
  // body returns the length of the window its throughput is measured over, in seconds.
  const windowSeconds = await body(stats);
  await Promise.all(students.map((s) => s.drain(DRAIN_TIMEOUT_MS)));
  const seconds = (performance.now() - started) / 1000;
  const machineCores = machine();
  const used = process.cpuUsage(cpu);
  const serverCores = (probe.serverCpuSeconds() - server) / seconds;
  const eventLoopCores = (probe.serverEventLoopCpuSeconds() - eventLoop) / seconds;
  const databaseCores = (probe.databaseCpuSeconds() - database) / seconds;
  const clientCores = (used.user + used.system) / 1e6 / seconds;
  const latency = stats.latencies();
  for (const s of students) s.windowEnd = Number.POSITIVE_INFINITY;
  return {
    name,
    startedAt,
    endedAt: Date.now(),
    seconds,
    sentBatches: stats.sentBatches,
    ackedBatches: stats.ackedBatches,
    ackedElements: stats.ackedElements,
    elementsPerSecond: stats.ackedInWindow / windowSeconds,
    p50Ms: latency.p50Ms,
    p95Ms: latency.p95Ms,
    p99Ms: latency.p99Ms,
    maxMs: latency.maxMs,
    refused: stats.refused,
    unacked: students.reduce((n, s) => n + [...s.inFlight.values()].filter((b) => b.phase === stats).length, 0),
    serverRssMiB: probe.serverRssMiB(),
    serverCpuCores: serverCores,
    serverEventLoopCores: eventLoopCores,
    databaseCpuCores: databaseCores,
    clientCpuCores: clientCores,
    otherCpuCores: Math.max(0, machineCores - serverCores - clientCores - (Number.isFinite(databaseCores) ? databaseCores : 0)),
    // Filled in from the database after the run (verify.ts), when the server is quiet.
    transactions: 0,
    batchesPerTransaction: 0,
  };
}

/**
 * Phase A: every student's exam starts, sending its ~100 opening elements (one batch of 82
 * and three small ones, back to back as the player flushes them). Students arrive spread
 * over `rampSeconds` (0: all at the same instant). Throughput: every start element, over
 * the time from the first send to the last ack.
 */
export function startPhase(students: Student[], rampSeconds: number, probe: Probe): Promise<PhaseResult> {
  return measure('A start', students, probe, async (stats) => {
    const offsets = sortedOffsets(students.length, rampSeconds * 1000, 0x5a);
    const began = performance.now();
    await runSchedule(offsets, Number.POSITIVE_INFINITY, rampSeconds * 1000 + 1, (i) => {
      const student = students[i];
      if (student) for (const batch of startBatches(Date.now())) student.send(batch, stats);
    });
    await Promise.all(students.map((s) => s.drain(DRAIN_TIMEOUT_MS)));
    return (performance.now() - began) / 1000;
  });
}

/**
 * Phase B: the realistic rate. Every student answers once every 30 s, at its own random
 * moment in the cycle, each answer one batch of 4 elements. Throughput is the offered
 * rate (students × 4 / 30 s) if the server keeps up; the latency is what students see.
 */
export function realisticPhase(students: Student[], seconds: number, probe: Probe): Promise<PhaseResult> {
  return measure('B realistic', students, probe, async (stats) => {
    const offsets = sortedOffsets(students.length, ANSWER_PERIOD_MS, 0xb0);
    const answers = new Array<number>(students.length).fill(0);
    const end = performance.now() + seconds * 1000;
    for (const s of students) s.windowEnd = end;
    await runSchedule(offsets, ANSWER_PERIOD_MS, seconds * 1000, (i) => {
      const student = students[i];
      if (student) student.send(answerJson((answers[i] = (answers[i] ?? 0) + 1), Date.now()), stats);
    });
    return seconds;
  });
}

/**
 * Phase C: saturation. Every student keeps `window` answer batches in flight, sending the
 * next as soon as one is acknowledged (a closed loop), for `seconds`. Throughput counts the
 * elements acknowledged before the deadline; batches still in flight then are awaited
 * (and their latency recorded) but not counted.
 */
export function saturationPhase(students: Student[], seconds: number, window: number, probe: Probe): Promise<PhaseResult> {
  return measure('C saturation', students, probe, async (stats) => {
    const end = performance.now() + seconds * 1000;
    let answer = 1_000;
    for (const s of students) {
      s.windowEnd = end;
      s.onAck = () => {
        if (performance.now() < end && s.inFlight.size < window) s.send(answerJson(answer++, Date.now()), stats);
      };
    }
    for (const s of students) for (let k = 0; k < window; k++) s.send(answerJson(answer++, Date.now()), stats);
    await sleep(seconds * 1000);
    for (const s of students) s.onAck = null;
    return seconds;
  });
}

export const ANSWERS_PER_STUDENT_PER_SECOND = 1 / (ANSWER_PERIOD_MS / 1000);
export { ANSWER_ELEMENTS };
