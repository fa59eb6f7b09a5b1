import { randomBytes } from 'node:crypto';
import type { ScenarioDefinition } from '../scenarios/scenario.js';
import { type DatabaseKind, openBenchDatabase } from './databases.js';
import { createHttpClient } from './http-client.js';
import { runLoad } from './load.js';
import { startMachineCpuWindow } from './machine-cpu.js';
import type { RunResult } from './report.js';
import { freePort, runCli, startBenchServer } from './server-process.js';

/** Busier than this before a run, the machine is running something else. */
export const BUSY_MACHINE_CORES = 0.2;

export interface RunOptions {
  root: string;
  database: DatabaseKind;
  concurrency: number;
  warmupSeconds: number;
  durationSeconds: number;
  /** Resource links the launches spread over (ScenarioContext.links). */
  links: number;
  /** Write a V8 CPU profile of the server (node --cpu-prof) into this directory. */
  profileDir: string | null;
  log: (line: string) => void;
  /** Called with a clean-up to run if the bench is interrupted, and with null once it is done. */
  onCleanup: (cleanup: (() => void) | null) => void;
}

/**
 * One measured run: a fresh database, the scenario's provisioning through the CLI, the
 * server as its own process, a warm-up that is thrown away (JIT, SQLite page cache, the
 * PostgreSQL pool filling), then the measured phase.
 */
export async function runScenario(definition: ScenarioDefinition, options: RunOptions): Promise<RunResult> {
  const { log } = options;
  const database = await openBenchDatabase(options.database);
  let stopServer: (() => Promise<void>) | null = null;
  options.onCleanup(() => database.dispose());
  try {
    const port = await freePort();
    const scenario = definition.create({ origin: `http://127.0.0.1:${port}`, links: options.links });
    const env = {
      ...database.env,
      SECRET_KEY: randomBytes(32).toString('base64url'),
      // Request logging off: at warn, Fastify's per-request lines and the launch's info line are not written.
      LOG_LEVEL: 'warn',
      DEMO: '0',
    };
    await scenario.provision((args) => runCli(options.root, env, args));
    const profileArgs = options.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${options.profileDir}`] : [];
    const server = await startBenchServer(options.root, env, port, profileArgs);
    stopServer = () => server.stop();
    options.onCleanup(() => {
      process.kill(server.pid, 'SIGKILL');
      database.dispose();
    });
    const startupOutput = server.output().length;

    const client = createHttpClient('127.0.0.1', port, options.concurrency);
    try {
      // One quiet second first: anything busy now is another job, and it will skew the run.
      const idle = startMachineCpuWindow();
      await new Promise((r) => setTimeout(r, 1000));
      const backgroundCpuCores = idle();
      if (backgroundCpuCores > BUSY_MACHINE_CORES) {
        log(`  !!! the machine is not idle: ${backgroundCpuCores.toFixed(2)} cores busy before the run; its numbers will be low and noisy`);
      }
      log(`  ${database.kind}, concurrency ${options.concurrency}: warm-up ${options.warmupSeconds} s`);
      await runLoad(scenario, client, { concurrency: options.concurrency, durationMs: options.warmupSeconds * 1000 });
      // After the warm-up, so the signing code is compiled as it is during the measurement.
      const clientCostMicros = scenario.clientCostMicros();
      log(`  ${database.kind}, concurrency ${options.concurrency}: measuring ${options.durationSeconds} s`);
      const cpuBefore = server.cpuSeconds();
      const databaseCpuBefore = database.cpuSeconds();
      const machineCpu = startMachineCpuWindow();
      const load = await runLoad(scenario, client, { concurrency: options.concurrency, durationMs: options.durationSeconds * 1000 });
      const machineCpuCores = machineCpu();
      const seconds = load.elapsedMs / 1000;
      const serverCpuCores = (server.cpuSeconds() - cpuBefore) / seconds;
      const databaseCpuCores = (database.cpuSeconds() - databaseCpuBefore) / seconds;
      const otherCpuCores = Math.max(0, machineCpuCores - serverCpuCores - load.clientCpuCores - (Number.isNaN(databaseCpuCores) ? 0 : databaseCpuCores));
      if (otherCpuCores > BUSY_MACHINE_CORES) {
        log(`  !!! other processes used ${otherCpuCores.toFixed(2)} cores during the measurement: these numbers are low and noisy`);
      }
      const logged = server.output().slice(startupOutput).trim();
      if (logged !== '') log(`  the server logged warnings or errors during the run:\n${logged.slice(0, 4000)}`);
      return {
        scenario: definition.id,
        database: database.kind,
        databaseVersion: database.version,
        databaseSettings: database.settings,
        concurrency: options.concurrency,
        warmupSeconds: options.warmupSeconds,
        durationSeconds: options.durationSeconds,
        succeeded: load.succeeded,
        errors: load.errors,
        perSecond: load.perSecond,
        p50Ms: load.latency.p50Ms,
        p90Ms: load.latency.p90Ms,
        p99Ms: load.latency.p99Ms,
        maxMs: load.latency.maxMs,
        meanMs: load.latency.meanMs,
        serverRssMiB: server.rssMiB(),
        serverCpuCores,
        clientCpuCores: load.clientCpuCores,
        databaseCpuCores,
        otherCpuCores,
        backgroundCpuCores,
        clientCostMicros,
      };
    } finally {
      client.close();
    }
  } finally {
    if (stopServer) await stopServer();
    database.dispose();
    options.onCleanup(null);
  }
}
