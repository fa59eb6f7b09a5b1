/**
 * Attempt data benchmark: N students on websockets against one server process, on SQLite
 * and on PostgreSQL. Each starts an attempt and sends its opening ~100 elements (phase A),
 * then answers once every 30 s (phase B, the realistic rate), then answers back to back
 * (phase C, saturation); then a 20,000-element attempt is resumed. Reports acknowledged
 * elements/s, ack latency, lost elements (must be 0: else exit code 1) and server memory.
 * See docs/performance.md.
 *
 *   npm run bench:attempts
 *   npm run bench:attempts -- --students 1000 --db sqlite --realistic-seconds 30 --json
 */
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { START_ELEMENTS } from './attempts/elements.js';
import { noiseLines, resultLines, targetLines } from './attempts/report.js';
import { type AttemptBenchResult, runAttemptBench } from './attempts/run.js';
import { ensureBuilt } from './lib/build.js';
import type { DatabaseKind } from './lib/databases.js';
import { describeMachine } from './lib/machine.js';
import { machineLines } from './lib/report.js';
import { BUSY_MACHINE_CORES } from './lib/run.js';

const USAGE = `Usage: npm run bench:attempts -- [--students N] [--db sqlite|postgres|both]
       [--realistic-seconds S] [--saturation-seconds S] [--start-ramp-seconds S] [--window N]
       [--setup-concurrency N] [--lms-latency-ms N | --lms none] [--json] [--profile DIR] [--skip-build]

--start-ramp-seconds: students' exams start spread over this long (0: all at once).
--window: answer batches each student keeps in flight during saturation.
--lms-latency-ms: the bench's LMS answers each grade send after this long (default 20).
--lms none: the launches name no outcome service (a link that reports no grades).
--profile DIR: V8 CPU profile of the server (slows it: do not quote profiled numbers).`;

function wholeNumber(name: string, raw: string, min: number): number {
  if (!/^\d+$/.test(raw) || Number(raw) < min) throw new Error(`--${name} must be a whole number ≥ ${min}, got "${raw}"\n${USAGE}`);
  return Number(raw);
}

function parse(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    options: {
      students: { type: 'string', default: '5000' },
      db: { type: 'string', default: 'both' },
      'realistic-seconds': { type: 'string', default: '60' },
      'saturation-seconds': { type: 'string', default: '20' },
      'start-ramp-seconds': { type: 'string', default: '10' },
      window: { type: 'string', default: '1' },
      'setup-concurrency': { type: 'string', default: '50' },
      json: { type: 'boolean', default: false },
      'lms-latency-ms': { type: 'string', default: '20' },
      lms: { type: 'string', default: 'fake' },
      profile: { type: 'string' },
      'skip-build': { type: 'boolean', default: false },
    },
  });
  const databases: DatabaseKind[] = values.db === 'both' ? ['sqlite', 'postgres'] : values.db === 'sqlite' || values.db === 'postgres' ? [values.db] : [];
  if (values.lms !== 'fake' && values.lms !== 'none') throw new Error(`--lms must be fake or none\n${USAGE}`);
  if (databases.length === 0) throw new Error(`--db must be sqlite, postgres or both\n${USAGE}`);
  return {
    databases,
    students: wholeNumber('students', values.students, 1),
    realisticSeconds: wholeNumber('realistic-seconds', values['realistic-seconds'], 1),
    saturationSeconds: wholeNumber('saturation-seconds', values['saturation-seconds'], 1),
    startRampSeconds: wholeNumber('start-ramp-seconds', values['start-ramp-seconds'], 0),
    window: wholeNumber('window', values.window, 1),
    setupConcurrency: wholeNumber('setup-concurrency', values['setup-concurrency'], 1),
    json: values.json,
    lmsLatencyMs: values.lms === 'none' ? null : wholeNumber('lms-latency-ms', values['lms-latency-ms'], 0),
    profileDir: values.profile ? resolve(values.profile) : null,
    skipBuild: values['skip-build'],
  };
}

/**
 * Each socket is a file descriptor in the bench and another in the server (both inherit
 * this shell's limit). Node cannot read or raise RLIMIT_NOFILE, so ask a shell, and stop
 * early with the fix rather than fail at socket 1,020 with EMFILE.
 */
function checkFileLimit(students: number): number {
  const limit = Number(execFileSync('sh', ['-c', 'ulimit -n'], { encoding: 'utf8' }).trim());
  const needed = students + 500;
  if (Number.isFinite(limit) && limit < needed) {
    throw new Error(`open-file limit ${limit} is below the ${needed} each process needs for ${students} sockets: run \`ulimit -n ${Math.max(needed, 20000)}\` in this shell first`);
  }
  return limit;
}

async function main(): Promise<number> {
  const options = parse(process.argv.slice(2));
  const root = fileURLToPath(new URL('..', import.meta.url));
  // Progress to stderr, so --json leaves stdout parseable.
  const log = (line: string): void => void process.stderr.write(`${line}\n`);
  const fileLimit = checkFileLimit(options.students);

  let cleanup: (() => void) | null = null;
  process.on('SIGINT', () => {
    cleanup?.();
    process.exit(130);
  });
  if (!options.skipBuild) ensureBuilt(root, log);
  const machine = describeMachine();
  const results: AttemptBenchResult[] = [];
  for (const database of options.databases) {
    log(`attempt data on ${database}:`);
    results.push(await runAttemptBench({ ...options, root, database, log, onCleanup: (fn) => (cleanup = fn) }));
  }

  const lost = results.reduce((total, r) => total + r.loss.lost, 0);
  if (options.json) {
    console.log(JSON.stringify({ machine, fileLimit, options, results }, null, 2));
  } else {
    const postgres = results.find((r) => r.database === 'postgres');
    const out = ['', '## Machine', '', ...machineLines(machine, postgres?.databaseVersion ?? null), `- Open-file limit (ulimit -n): ${fileLimit}`, ''];
    out.push(
      '## Attempt data benchmark',
      '',
      `${options.students} students, one websocket each. A: each sends its ${START_ELEMENTS} opening elements (82 + 3 × 6), starts spread over ${options.startRampSeconds} s. ` +
        `B: each answers once every 30 s (4 elements, suspend_data 2 KB) for ${options.realisticSeconds} s. ` +
        `C: each keeps ${options.window} answer batch${options.window === 1 ? '' : 'es'} in flight for ${options.saturationSeconds} s. ` +
        (options.lmsLatencyMs === null ? 'The launches name no outcome service. ' : `Every score change queues a grade send to the bench's LMS (answers after ${options.lmsLatencyMs} ms). `) +
        'LOG_LEVEL=warn.',
      '',
    );
    for (const r of results) out.push(...resultLines(r), '', 'Targets:', ...targetLines(r), '', ...noiseLines(r, BUSY_MACHINE_CORES));
    console.log(out.join('\n'));
  }
  if (lost > 0) {
    console.error(`!!! ${lost} ELEMENTS LOST: acknowledged or sent batches are not in the database.`);
    return 1;
  }
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(`bench:attempts failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exitCode = 1;
  },
);
