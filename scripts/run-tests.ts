/**
 * Runs the test suites with node's test runner. Starts one throwaway PostgreSQL for the
 * whole run (each suite makes its own database in it) so every storage and HTTP test runs
 * on SQLite and on PostgreSQL. Under CI=true a PostgreSQL that will not start fails the
 * run rather than silently testing SQLite alone.
 *
 *   tsx scripts/run-tests.ts             unit, storage and HTTP tests
 *   tsx scripts/run-tests.ts --browser   the Chromium end-to-end tests
 *   tsx scripts/run-tests.ts FILE...     only those files
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { type PostgresServer, startPostgres } from '../test/helpers/postgres-server.js';

const args = process.argv.slice(2);
const browser = args.includes('--browser');
const explicit = args.filter((a) => !a.startsWith('--'));

function findTests(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) out.push(...findTests(path));
    else if (entry.endsWith('.test.ts')) out.push(relative(process.cwd(), path));
  }
  return out.sort();
}

const files =
  explicit.length > 0
    ? explicit
    : findTests('test').filter((f) => (browser ? f.startsWith('test/browser/') : !f.startsWith('test/browser/')));

let postgres: PostgresServer | null = null;
try {
  postgres = await startPostgres();
  console.log(`# PostgreSQL for this run: ${postgres.url}`);
} catch (error) {
  if (process.env.CI === 'true') {
    console.error(`# CI=true and PostgreSQL could not start: ${(error as Error).message}`);
    process.exit(1);
  }
  console.warn(`# PostgreSQL could not start, so PostgreSQL suites are skipped: ${(error as Error).message}`);
}

const env = { ...process.env, TEST_PG_URL: postgres?.url ?? '', LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent' };
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-reporter=spec', `--test-concurrency=${browser ? 1 : 2}`, ...files],
  { stdio: 'inherit', env },
);
postgres?.stop();
process.exit(result.status ?? 1);
