import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { type Dialect, type Store, openStore } from '../../src/store/database.js';

/**
 * Which databases a suite runs on: always SQLite, and PostgreSQL when the runner started
 * one. Under CI=true a missing PostgreSQL is an error, never a silent skip.
 */
export function databaseKinds(): Dialect[] {
  const url = process.env.TEST_PG_URL;
  if (url) return ['sqlite', 'postgres'];
  if (process.env.CI === 'true') throw new Error('CI=true but TEST_PG_URL is not set: PostgreSQL tests cannot be skipped');
  return ['sqlite'];
}

export interface TestStore extends Store {
  dataDir: string;
  databaseUrl: string | null;
}

/** A fresh database that nothing has touched yet: a directory for the SQLite file, or a new PostgreSQL database. */
export interface EmptyDatabase {
  dataDir: string;
  /** null on SQLite (the file goes in dataDir). */
  databaseUrl: string | null;
  drop(): Promise<void>;
}

export async function createEmptyDatabase(kind: Dialect): Promise<EmptyDatabase> {
  const dataDir = mkdtempSync(join(tmpdir(), 'lti-exam-test-'));
  const removeDir = () => rmSync(dataDir, { recursive: true, force: true });
  if (kind === 'sqlite') return { dataDir, databaseUrl: null, drop: async () => removeDir() };
  const adminUrl = process.env.TEST_PG_URL;
  if (!adminUrl) throw new Error('TEST_PG_URL is not set');
  const name = `t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  return {
    dataDir,
    databaseUrl: adminUrl.replace(/\/[^/]*$/, `/${name}`),
    drop: async () => {
      const cleanup = new pg.Client({ connectionString: adminUrl });
      await cleanup.connect();
      await cleanup.query(`drop database if exists ${name} with (force)`);
      await cleanup.end();
      removeDir();
    },
  };
}

/** A fresh, migrated, empty database of the given kind; `close` removes it. */
export async function createTestStore(kind: Dialect): Promise<TestStore> {
  const empty = await createEmptyDatabase(kind);
  const store = await openStore({ databaseUrl: empty.databaseUrl, dataDir: empty.dataDir });
  return {
    ...store,
    dataDir: empty.dataDir,
    databaseUrl: empty.databaseUrl,
    close: async () => {
      await store.close();
      await empty.drop();
    },
  };
}
