import { type DatabaseKind, openBenchDatabase } from '../lib/databases.js';
import { createHttpClient } from '../lib/http-client.js';
import { freePort, runCli, startBenchServer } from '../lib/server-process.js';
import type { PhaseResult } from './phase-stats.js';
import { postgresCpuCounter } from './postgres-cpu.js';
import { type Probe, realisticPhase, saturationPhase, startPhase } from './phases.js';
import { type ResumeResult, measureResume } from './resume.js';
import { CONSUMER_KEY, type Cohort, type Target, connectCohort, freshSecretKey, provisionConsumer, uploadExam } from './setup.js';
import { type LossReport, checkLoss } from './verify.js';
import type { FastFakeLms } from '../passback/fast-fake-lms.js';
import { type GradeReport, readGradeReport, startBenchLms } from './grades.js';

export interface AttemptBenchOptions {
  root: string;
  database: DatabaseKind;
  students: number;
  setupConcurrency: number;
  startRampSeconds: number;
  realisticSeconds: number;
  saturationSeconds: number;
  /** Batches each student keeps in flight in the saturation phase. */
  window: number;
  profileDir: string | null;
  /** The LMS's answer time for each grade send; null: the launches name no outcome service. */
  lmsLatencyMs: number | null;
  log: (line: string) => void;
  onCleanup: (cleanup: (() => void) | null) => void;
}

export interface AttemptBenchResult {
  database: DatabaseKind;
  databaseVersion: string;
  databaseSettings: string;
  students: number;
  setup: { seconds: number; meanMs: number; maxMs: number; serverRssMiB: number };
  /** Students whose socket was still open at the end of the run. */
  connectedAtEnd: number;
  phases: PhaseResult[];
  resume: ResumeResult;
  loss: LossReport;
  grades: GradeReport;
  /** Client-side errors (unexpected closes, refusals), by label. */
  errors: Record<string, number>;
  /** What the server wrote at LOG_LEVEL=warn during the run (should be nothing). */
  serverLog: string;
}

/**
 * One database: a fresh database and server, the cohort brought online (not timed), the
 * three load phases back to back on the same connected students, the resume test, then
 * the loss check against the database.
 */
export async function runAttemptBench(options: AttemptBenchOptions): Promise<AttemptBenchResult> {
  const { log } = options;
  const database = await openBenchDatabase(options.database);
  options.onCleanup(() => database.dispose());
  let stopServer: (() => Promise<void>) | null = null;
  let lms: FastFakeLms | null = null;
  try {
    const port = await freePort();
    const env = { ...database.env, SECRET_KEY: freshSecretKey(), LOG_LEVEL: 'warn', DEMO: '0' };
    const consumerSecret = await provisionConsumer((args) => runCli(options.root, env, args));
    const profileArgs = options.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${options.profileDir}`] : [];
    lms = options.lmsLatencyMs === null ? null : await startBenchLms({ key: CONSUMER_KEY, secret: consumerSecret }, options.lmsLatencyMs);
    const server = await startBenchServer(options.root, env, port, profileArgs);
    stopServer = () => server.stop();
    options.onCleanup(() => {
      process.kill(server.pid, 'SIGKILL');
      database.dispose();
    });
    const http = createHttpClient('127.0.0.1', port, options.setupConcurrency);
    const target: Target = { origin: `http://127.0.0.1:${port}`, http, consumerSecret, outcomeUrl: lms?.url ?? null };
    // Not database.cpuSeconds(): it misses backends that exit mid-phase (postgres-cpu.ts).
    const databaseCpu = database.env.DATABASE_URL ? postgresCpuCounter(database.env.DATABASE_URL) : () => 0;
    const probe: Probe = { serverCpuSeconds: () => server.cpuSeconds(), serverEventLoopCpuSeconds: () => server.eventLoopCpuSeconds(), serverRssMiB: () => server.rssMiB(), databaseCpuSeconds: databaseCpu };
    try {
      await uploadExam(target);
      log(`  ${database.kind}: bringing ${options.students} students online (${options.setupConcurrency} at a time)`);
      const cohort: Cohort = await connectCohort(target, options.students, options.setupConcurrency, log);
      const setupRss = server.rssMiB();
      log(`  ${database.kind}: ${options.students} connected in ${cohort.seconds.toFixed(1)} s; server RSS ${setupRss.toFixed(0)} MiB`);
      const { students } = cohort;

      const phases: PhaseResult[] = [];
      const report = (p: PhaseResult): void => {
        phases.push(p);
        log(`  ${database.kind}: ${p.name}: ${Math.round(p.elementsPerSecond)} elements/s, p50 ${p.p50Ms.toFixed(1)} ms, p99 ${p.p99Ms.toFixed(1)} ms, RSS ${p.serverRssMiB.toFixed(0)} MiB, server CPU ${p.serverCpuCores.toFixed(2)}`);
      };
      log(`  ${database.kind}: phase A (start burst, ramp ${options.startRampSeconds} s)`);
      report(await startPhase(students, options.startRampSeconds, probe));
      log(`  ${database.kind}: phase B (one answer per student every 30 s, ${options.realisticSeconds} s)`);
      report(await realisticPhase(students, options.realisticSeconds, probe));
      // Resume between the realistic and the saturation phase: on a database that holds every
      // student's attempt, but not while PostgreSQL is still flushing the saturation burst.
      log(`  ${database.kind}: resume of a 20,000-element attempt`);
      const resume = await measureResume(target, options.students);
      log(`  ${database.kind}: resume p50 ${resume.result.p50Ms.toFixed(1)} ms, p99 ${resume.result.p99Ms.toFixed(1)} ms (${resume.result.keys} keys)`);
      log(`  ${database.kind}: phase C (closed loop, ${options.window} in flight per student, ${options.saturationSeconds} s)`);
      report(await saturationPhase(students, options.saturationSeconds, options.window, probe));
      const connectedAtEnd = students.filter((s) => s.ws?.readyState === s.ws?.OPEN).length;
      const loss = await checkLoss(env, [...students, resume.student], phases);
      const grades = await readGradeReport(env, lms, options.lmsLatencyMs ?? 0);
      const errors: Record<string, number> = {};
      for (const s of [...students, resume.student]) for (const e of s.errors) errors[e] = (errors[e] ?? 0) + 1;
      for (const s of students) s.close();
      return {
        database: database.kind,
        databaseVersion: database.version,
        databaseSettings: database.settings,
        students: options.students,
        setup: { seconds: cohort.seconds, meanMs: cohort.meanMs, maxMs: cohort.maxMs, serverRssMiB: setupRss },
        connectedAtEnd,
        phases,
        resume: resume.result,
        loss,
        grades,
        errors,
        serverLog: server.output().trim().slice(0, 4000),
      };
    } catch (error) {
      // The server may have died: what it printed is the clue.
      const output = server.output().trim();
      if (output !== '' && error instanceof Error) error.message += `\nThe server printed:\n${output.slice(-4000)}`;
      throw error;
    } finally {
      http.close();
    }
  } finally {
    if (stopServer) await stopServer();
    await lms?.close();
    database.dispose();
    options.onCleanup(null);
  }
}
