import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A throwaway PostgreSQL cluster made with initdb and pg_ctl in a temporary directory.
 * PostgreSQL refuses to run as root, so as root we run its binaries as the `postgres`
 * user through runuser.
 */
export interface PostgresServer {
  url: string;
  stop(): void;
}

function findBinDir(): string {
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    const versions = readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'pg_ctl')));
    versions.sort((a, b) => Number(b) - Number(a));
    if (versions[0]) return join(root, versions[0], 'bin');
  }
  for (const dir of (process.env.PATH ?? '').split(':')) {
    if (existsSync(join(dir, 'pg_ctl'))) return dir;
  }
  throw new Error('pg_ctl not found: install PostgreSQL (Debian: apt-get install postgresql)');
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface StartOptions {
  /** Tests turn fsync off for speed; benchmarks keep it on to measure real durability. */
  fsync?: boolean;
  maxConnections?: number;
}

export async function startPostgres(options: StartOptions = {}): Promise<PostgresServer> {
  const bin = findBinDir();
  const asRoot = process.getuid?.() === 0;
  const dir = mkdtempSync(join(tmpdir(), 'lti-exam-pg-'));
  const data = join(dir, 'data');
  const run = (command: string, args: string[]): void => {
    const full = join(bin, command);
    if (asRoot) execFileSync('runuser', ['-u', 'postgres', '--', full, ...args], { stdio: 'pipe' });
    else execFileSync(full, args, { stdio: 'pipe' });
  };
  try {
    if (asRoot) {
      const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
      const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
      chownSync(dir, uid, gid);
    }
    run('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--no-sync', '--no-instructions']);
    const port = await freePort();
    const settings = [
      `-p ${port}`,
      `-k ${dir}`,
      "-c listen_addresses='127.0.0.1'",
      `-c max_connections=${options.maxConnections ?? 300}`,
      `-c fsync=${options.fsync === true ? 'on' : 'off'}`,
      `-c synchronous_commit=${options.fsync === true ? 'on' : 'off'}`,
      // Torn-page protection costs WAL volume; a benchmark of real durability pays it.
      `-c full_page_writes=${options.fsync === true ? 'on' : 'off'}`,
      // More server settings for a diagnosis, e.g. BENCH_PG_SETTINGS='-c shared_preload_libraries=pg_stat_statements'.
      ...(process.env.BENCH_PG_SETTINGS ? [process.env.BENCH_PG_SETTINGS] : []),
    ].join(' ');
    run('pg_ctl', ['-D', data, '-l', join(dir, 'server.log'), '-o', settings, '-w', '-t', '60', 'start']);
    let stopped = false;
    return {
      url: `postgres://postgres@127.0.0.1:${port}/postgres`,
      stop() {
        if (stopped) return;
        stopped = true;
        try {
          run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      },
    };
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    const detail = error instanceof Error && 'stderr' in error ? String((error as { stderr: unknown }).stderr) : '';
    throw new Error(`could not start a throwaway PostgreSQL: ${(error as Error).message} ${detail}`.trim());
  }
}
