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

/** A fresh, migrated, empty database of the given kind; `close` removes it. */
export async function createTestStore(kind: Dialect): Promise<TestStore> {
  const dataDir = mkdtempSync(join(tmpdir(), 'lti-exam-test-'));
  if (kind === 'sqlite') {
    const store = await openStore({ databaseUrl: null, dataDir });
    return {
      ...store,
      dataDir,
      databaseUrl: null,
      close: async () => {
        await store.close();
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  }
  const adminUrl = process.env.TEST_PG_URL;
  if (!adminUrl) throw new Error('TEST_PG_URL is not set');
  const name = `t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const databaseUrl = adminUrl.replace(/\/[^/]*$/, `/${name}`);
  const store = await openStore({ databaseUrl, dataDir });
  return {
    ...store,
    dataDir,
    databaseUrl,
    close: async () => {
      await store.close();
      const cleanup = new pg.Client({ connectionString: adminUrl });
      await cleanup.connect();
      await cleanup.query(`drop database if exists ${name} with (force)`);
      await cleanup.end();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
