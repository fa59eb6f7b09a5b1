import { setTimeout as sleep } from 'node:timers/promises';
import { enqueueGradeRefresh } from '../../src/commands/grade-refresh.js';
import { loadConfig } from '../../src/config.js';
import { registerJobHandlers } from '../../src/jobs/handlers/index.js';
import { JobRunner } from '../../src/jobs/job-runner.js';
import { deriveKey } from '../../src/lib/keys.js';
import { createSecretBox } from '../../src/lib/secret-box.js';
import { type Store, openStore } from '../../src/store/database.js';
import { createLocalEventHub } from '../../src/store/event-hub.js';
import { type DatabaseKind, openBenchDatabase } from '../lib/databases.js';
import { type LatencySummary, createLatencyRecorder } from '../lib/latency.js';
import { startMachineCpuWindow } from '../lib/machine-cpu.js';
import { type FastFakeLms, startFastFakeLms } from './fast-fake-lms.js';
import { seedClass } from './seed.js';

export interface PassbackRunOptions {
  database: DatabaseKind;
  students: number;
  lmsConcurrency: number;
  jobConcurrency: number;
  /** Job runners, each with its own connection pool and limits: nodes of one deployment. */
  nodes: number;
  /** How long the fake LMS takes to answer each request. */
  lmsLatencyMs: number;
  log: (line: string) => void;
}

export interface PassbackRunResult {
  database: DatabaseKind;
  databaseVersion: string;
  databaseSettings: string;
  students: number;
  nodes: number;
  lmsConcurrency: number;
  jobConcurrency: number;
  lmsLatencyMs: number;
  seconds: number;
  gradesPerSecond: number;
  /** One replaceResult request, from the fetch call to the LMS's answer. */
  send: LatencySummary;
  /** The most requests the LMS had in flight at once. */
  maxInFlight: number;
  accepted: number;
  refused: number;
  /** Grades at the LMS that differ from the student's score, or are missing: must be 0. */
  wrongGrades: number;
  /** Jobs not `done` at the end: must be 0. */
  unfinishedJobs: number;
  benchCpuCores: number;
  databaseCpuCores: number;
  /** Everything else on the machine during the run, in cores: should be ~0 for numbers worth quoting. */
  otherCpuCores: number;
}

/** Times each fetch the tool makes (the only fetches in this process are replaceResult sends). */
function timeFetches(record: (ms: number) => void): () => void {
  const original = globalThis.fetch;
  globalThis.fetch = async (input, init) => {
    const start = performance.now();
    try {
      return await original(input, init);
    } finally {
      record(performance.now() - start);
    }
  };
  return () => {
    globalThis.fetch = original;
  };
}

/**
 * Seeds a class of `students` with finished attempts, queues one grade-passback job per
 * student, and lets `nodes` job runners send them all to the fast fake LMS; the clock runs from
 * starting the runners until no job is pending or running.
 */
export async function runPassbackBench(o: PassbackRunOptions): Promise<PassbackRunResult> {
  const database = await openBenchDatabase(o.database);
  const stores: Store[] = [];
  const runners: JobRunner[] = [];
  let lms: FastFakeLms | null = null;
  let restoreFetch = (): void => {};
  try {
    const config = loadConfig({
      ...database.env,
      SECRET_KEY: 'bench-secret-key-that-is-long-enough-0123456789',
      LOG_LEVEL: 'warn',
      DEMO: '0',
      LMS_CONCURRENCY: String(o.lmsConcurrency),
      JOB_CONCURRENCY: String(o.jobConcurrency),
    });
    for (let n = 0; n < o.nodes; n++) stores.push(await openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir }));
    const first = stores[0] as Store;
    const secretBox = createSecretBox(deriveKey(config.secretKey, 'secret-box'));
    const now = Date.now();
    o.log(`  seeding ${o.students} students…`);
    const seeded = await seedClass(first.db, secretBox, o.students, async (consumer) => {
      lms = await startFastFakeLms(consumer, { latencyMs: o.lmsLatencyMs });
      return lms.url;
    }, now);
    const fake = lms as FastFakeLms | null;
    if (fake === null) throw new Error('the fake LMS did not start');
    await enqueueGradeRefresh(first.db, seeded.userIds.map((userId) => ({ resourceId: seeded.resourceId, userId, event: 'manual' as const })), Date.now(), { delayMs: 0 });

    const latency = createLatencyRecorder();
    restoreFetch = timeFetches((ms) => latency.record(ms));
    const events = createLocalEventHub();
    const log = { warn: (d: object, m: string) => o.log(`  warn: ${m} ${JSON.stringify(d)}`), error: (d: object, m: string) => o.log(`  error: ${m} ${String((d as { err?: unknown }).err ?? '')}`) };
    for (const [n, store] of stores.entries()) {
      const handlers = registerJobHandlers({ config, store, secretBox, events, now: Date.now });
      runners.push(new JobRunner({ db: store.db, node: `bench-node-${n}`, handlers, concurrency: config.jobConcurrency, targetLimit: config.lmsConcurrency, log }));
    }
    o.log(`  sending with ${o.nodes} node${o.nodes === 1 ? '' : 's'}, LMS_CONCURRENCY=${o.lmsConcurrency}, JOB_CONCURRENCY=${o.jobConcurrency}…`);
    const cpuBefore = process.cpuUsage();
    const dbCpuBefore = database.cpuSeconds();
    const machineCpu = startMachineCpuWindow();
    const started = performance.now();
    for (const runner of runners) runner.start();
    for (;;) {
      const open = await first.db
        .selectFrom('jobs')
        .select((eb) => eb.fn.countAll<number | string>().as('n'))
        .where('kind', '=', 'grade-passback')
        .where('state', 'in', ['pending', 'running'])
        .executeTakeFirstOrThrow();
      if (Number(open.n) === 0) break;
      await sleep(50);
    }
    const seconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    const dbCpu = database.cpuSeconds() - dbCpuBefore;
    const machineCores = machineCpu();
    await Promise.all(runners.map((r) => r.stop()));
    restoreFetch();

    let wrongGrades = 0;
    for (const [sourcedid, score] of seeded.expected) if (fake.grades.get(sourcedid) !== score) wrongGrades++;
    const unfinished = await first.db
      .selectFrom('jobs')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .where('kind', '=', 'grade-passback')
      .where('state', '!=', 'done')
      .executeTakeFirstOrThrow();
    const stats = fake.stats();
    for (const [reason, n] of stats.refusals) o.log(`  !!! the LMS refused ${n} requests: ${reason}`);
    return {
      database: o.database,
      databaseVersion: database.version,
      databaseSettings: database.settings,
      students: o.students,
      nodes: o.nodes,
      lmsConcurrency: o.lmsConcurrency,
      jobConcurrency: o.jobConcurrency,
      lmsLatencyMs: o.lmsLatencyMs,
      seconds,
      gradesPerSecond: stats.accepted / seconds,
      send: latency.summary(),
      maxInFlight: stats.maxInFlight,
      accepted: stats.accepted,
      refused: stats.refused,
      wrongGrades,
      unfinishedJobs: Number(unfinished.n),
      benchCpuCores: (cpu.user + cpu.system) / 1e6 / seconds,
      databaseCpuCores: dbCpu / seconds,
      otherCpuCores: Math.max(0, machineCores - (cpu.user + cpu.system) / 1e6 / seconds - (o.database === 'sqlite' ? 0 : dbCpu / seconds)),
    };
  } finally {
    restoreFetch();
    await Promise.all(runners.map((r) => r.stop().catch(() => undefined)));
    await (lms as FastFakeLms | null)?.close();
    for (const store of stores) await store.close();
    database.dispose();
  }
}
