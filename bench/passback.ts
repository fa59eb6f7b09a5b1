/**
 * Grade passback benchmark: 10,000 students' grades sent over LTI 1.1 Basic Outcomes to a
 * local fake LMS (which still verifies every signature and body hash) through the real job
 * runner, on SQLite and on PostgreSQL. Reports grades/s, send latency and the most requests
 * the LMS ever had in flight, which must equal LMS_CONCURRENCY × nodes. See docs/performance.md.
 *
 *   npm run bench:passback
 *   npm run bench:passback -- --db postgres --lms-concurrency 2,8 --nodes 1,2 --lms-latency-ms 20 --json
 */
import { parseArgs } from 'node:util';
import type { DatabaseKind } from './lib/databases.js';
import { describeMachine } from './lib/machine.js';
import { machineLines } from './lib/report.js';
import { BUSY_MACHINE_CORES } from './lib/run.js';
import { type PassbackRunResult, runPassbackBench } from './passback/run.js';

const USAGE = `Usage: npm run bench:passback -- [--students N] [--db sqlite|postgres|both]
       [--lms-concurrency A,B] [--job-concurrency N] [--nodes A,B] [--lms-latency-ms N] [--json]

--lms-concurrency: LMS_CONCURRENCY values to run (default 2,8: the default and a higher one).
--job-concurrency: JOB_CONCURRENCY; default max(8, 2 × LMS_CONCURRENCY), so jobs wait on the LMS limit.
--nodes: job runners (nodes) on PostgreSQL (default 1,2); SQLite is a one-node setup and runs 1.
--lms-latency-ms: how long the fake LMS takes per request (default 20; 0 measures the tool's own cost, but then
       requests barely overlap at the LMS, so the concurrency it sees says little).`;

function list(name: string, raw: string): number[] {
  const values = raw.split(',').map((v) => v.trim());
  if (values.some((v) => !/^\d+$/.test(v) || Number(v) < 1)) throw new Error(`--${name} must be whole numbers ≥ 1, got "${raw}"\n${USAGE}`);
  return values.map(Number);
}

function parse(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    options: {
      students: { type: 'string', default: '10000' },
      db: { type: 'string', default: 'both' },
      'lms-concurrency': { type: 'string', default: '2,8' },
      'job-concurrency': { type: 'string' },
      nodes: { type: 'string', default: '1,2' },
      'lms-latency-ms': { type: 'string', default: '20' },
      json: { type: 'boolean', default: false },
    },
  });
  const databases: DatabaseKind[] = values.db === 'both' ? ['sqlite', 'postgres'] : values.db === 'sqlite' || values.db === 'postgres' ? [values.db] : [];
  if (databases.length === 0) throw new Error(`--db must be sqlite, postgres or both\n${USAGE}`);
  const [students] = list('students', values.students);
  if (!/^\d+$/.test(values['lms-latency-ms'])) throw new Error(`--lms-latency-ms must be a whole number, got "${values['lms-latency-ms']}"\n${USAGE}`);
  return {
    databases,
    students: students as number,
    lmsConcurrency: list('lms-concurrency', values['lms-concurrency']),
    jobConcurrency: values['job-concurrency'] === undefined ? null : (list('job-concurrency', values['job-concurrency'])[0] as number),
    nodes: list('nodes', values.nodes),
    lmsLatencyMs: Number(values['lms-latency-ms']),
    json: values.json,
  };
}

const fixed = (n: number, digits = 1): string => (Number.isFinite(n) ? n.toFixed(digits) : '–');

function table(results: PassbackRunResult[]): string[] {
  const lines = [
    '| Database | Nodes | LMS_CONCURRENCY | JOB_CONCURRENCY | Grades/s | Send p50 ms | Send p99 ms | Max in flight at the LMS | Expected (limit × nodes) | Seconds | Bench CPU | DB CPU | Other CPU | Refused / wrong / unfinished |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|',
  ];
  for (const r of results) {
    lines.push(
      `| ${r.database === 'sqlite' ? 'SQLite' : 'PostgreSQL'} | ${r.nodes} | ${r.lmsConcurrency} | ${r.jobConcurrency} | ${Math.round(r.gradesPerSecond).toLocaleString('en')} | ${fixed(r.send.p50Ms)} | ${fixed(r.send.p99Ms)} | ${r.maxInFlight} | ${r.lmsConcurrency * r.nodes} | ${fixed(r.seconds)} | ${fixed(r.benchCpuCores, 2)} | ${r.database === 'sqlite' ? '–' : fixed(r.databaseCpuCores, 2)} | ${fixed(r.otherCpuCores, 2)} | ${r.refused} / ${r.wrongGrades} / ${r.unfinishedJobs} |`,
    );
  }
  return lines;
}

function problems(r: PassbackRunResult): string[] {
  const out: string[] = [];
  const where = `${r.database}, ${r.nodes} node(s), LMS_CONCURRENCY=${r.lmsConcurrency}`;
  if (r.refused > 0) out.push(`!!! ${where}: the LMS refused ${r.refused} requests`);
  if (r.wrongGrades > 0) out.push(`!!! ${where}: ${r.wrongGrades} grades missing or wrong at the LMS`);
  if (r.unfinishedJobs > 0) out.push(`!!! ${where}: ${r.unfinishedJobs} jobs did not finish`);
  if (r.maxInFlight > r.lmsConcurrency * r.nodes) out.push(`!!! ${where}: the LMS saw ${r.maxInFlight} requests at once, above the limit ${r.lmsConcurrency * r.nodes}`);
  return out;
}

async function main(): Promise<number> {
  const options = parse(process.argv.slice(2));
  const log = (line: string): void => void process.stderr.write(`${line}\n`);
  const machine = describeMachine();
  const results: PassbackRunResult[] = [];
  for (const database of options.databases) {
    for (const nodes of database === 'sqlite' ? [1] : options.nodes) {
      for (const lmsConcurrency of options.lmsConcurrency) {
        const jobConcurrency = options.jobConcurrency ?? Math.max(8, 2 * lmsConcurrency);
        log(`grade passback on ${database}:`);
        const result = await runPassbackBench({ database, students: options.students, lmsConcurrency, jobConcurrency, nodes, lmsLatencyMs: options.lmsLatencyMs, log });
        log(`  ${Math.round(result.gradesPerSecond)} grades/s, max ${result.maxInFlight} in flight`);
        results.push(result);
      }
    }
  }
  const failures = results.flatMap(problems);
  if (options.json) {
    console.log(JSON.stringify({ machine, options, results }, null, 2));
  } else {
    const postgres = results.find((r) => r.database === 'postgres');
    console.log(
      [
        '',
        '## Machine',
        '',
        ...machineLines(machine, postgres?.databaseVersion ?? null),
        '',
        '## Grade passback benchmark',
        '',
        `${options.students.toLocaleString('en')} students, one grade-passback job each, sent to a local fake LMS answering after ${options.lmsLatencyMs} ms.`,
        '',
        ...table(results),
        '',
        ...results
          .filter((r) => r.otherCpuCores > BUSY_MACHINE_CORES)
          .map((r) => `Note: ${r.database}, ${r.nodes} node(s), LMS_CONCURRENCY=${r.lmsConcurrency} shared the machine with other processes (${r.otherCpuCores.toFixed(2)} cores): rerun on an idle machine before quoting its speed.`),
        ...failures,
      ].join('\n'),
    );
  }
  if (failures.length > 0) return 1;
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(`bench:passback failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exitCode = 1;
  },
);
