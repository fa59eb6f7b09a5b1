import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { startPostgres } from '../../test/helpers/postgres-server.js';
import { findProcess, processFamilyCpuSeconds } from './proc.js';

export type DatabaseKind = 'sqlite' | 'postgres';

/** A fresh, empty database for one benchmark run, and the server environment that points at it. */
export interface BenchDatabase {
  kind: DatabaseKind;
  /** DATA_DIR (and DATABASE_URL for PostgreSQL) for the CLI and the server. */
  env: Record<string, string>;
  version: string;
  /** The durability settings in force, for the report. */
  settings: string;
  /**
   * CPU seconds the database server has used so far: 0 for SQLite, which runs inside the
   * server process; the postmaster and its backends for PostgreSQL (NaN if not found).
   */
  cpuSeconds(): number;
  dispose(): void;
}

export function sqliteVersion(): string {
  const memory = new SQLite(':memory:');
  try {
    return (memory.prepare('select sqlite_version() as v').get() as { v: string }).v;
  } finally {
    memory.close();
  }
}

async function postgresVersion(url: string): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const result = await client.query<{ server_version: string }>('show server_version');
    return result.rows[0]?.server_version ?? 'unknown';
  } finally {
    await client.end();
  }
}

async function durability(url: string): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const names = ['fsync', 'synchronous_commit', 'full_page_writes', 'wal_sync_method'];
    const parts: string[] = [];
    for (const name of names) {
      const result = await client.query<Record<string, string>>(`show ${name}`);
      parts.push(`${name}=${result.rows[0]?.[name] ?? '?'}`);
    }
    return parts.join(', ');
  } finally {
    await client.end();
  }
}

/**
 * Every run starts empty, so runs compare. The data lives under the system temp directory,
 * which must be a real disk (not tmpfs) for the fsync numbers to mean anything: the report
 * names its file system.
 */
export async function openBenchDatabase(kind: DatabaseKind): Promise<BenchDatabase> {
  const dataDir = mkdtempSync(join(tmpdir(), `lti-bench-${kind}-`));
  const removeDataDir = (): void => rmSync(dataDir, { recursive: true, force: true });
  if (kind === 'sqlite') {
    return {
      kind,
      env: { DATA_DIR: dataDir },
      version: sqliteVersion(),
      // What src/store/database.ts sets; the bench does not change it.
      settings: 'journal_mode=WAL, synchronous=NORMAL',
      cpuSeconds: () => 0,
      dispose: removeDataDir,
    };
  }
  try {
    // fsync and synchronous_commit on: each launch's commit waits for the WAL flush, as in production.
    const server = await startPostgres({ fsync: true });
    try {
      // pg_ctl started it with "-p PORT" on its command line; its backends are its children.
      const postmaster = findProcess(['postgres', '-D', `-p ${new URL(server.url).port}`]);
      return {
        kind,
        env: { DATA_DIR: dataDir, DATABASE_URL: server.url },
        version: await postgresVersion(server.url),
        settings: await durability(server.url),
        cpuSeconds: () => (postmaster === null ? Number.NaN : processFamilyCpuSeconds(postmaster)),
        dispose() {
          server.stop();
          removeDataDir();
        },
      };
    } catch (error) {
      server.stop();
      throw error;
    }
  } catch (error) {
    removeDataDir();
    throw error;
  }
}
