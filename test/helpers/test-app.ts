import type { FastifyInstance } from 'fastify';
import { type Config, loadConfig } from '../../src/config.js';
import { buildApp } from '../../src/http/app.js';
import type { Dialect } from '../../src/store/database.js';
import { createTestStore, type TestStore } from './test-store.js';

export interface TestApp {
  app: FastifyInstance;
  store: TestStore;
  config: Config;
  /** The test clock: set `clock.now` to move time. */
  clock: { now: number };
  close(): Promise<void>;
}

/**
 * A real Fastify app on a fresh database of the given kind, driven with app.inject.
 * `env` adds environment settings (PUBLIC_URL, TRUST_PROXY, DEMO, …) as the server reads them.
 */
export interface TestAppOptions {
  /** Serve the built web app (browser tests). */
  webDir?: string;
  /** Use the real clock instead of the movable test clock (browser tests, where pages run in real time). */
  realClock?: boolean;
  /** Run the job runner (default true, polling every 50 ms). */
  jobs?: boolean;
}

export async function createTestApp(kind: Dialect, env: Record<string, string> = {}, options: TestAppOptions = {}): Promise<TestApp> {
  const store = await createTestStore(kind);
  const config = loadConfig({
    SECRET_KEY: 'test-secret-key-that-is-long-enough-0123456789',
    DATA_DIR: store.dataDir,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    DEMO: '0',
    ...(store.databaseUrl ? { DATABASE_URL: store.databaseUrl } : {}),
    ...env,
  });
  const clock = { now: Date.now() };
  const app = await buildApp({
    config,
    store,
    now: options.realClock ? Date.now : () => clock.now,
    jobs: options.jobs ?? true,
    jobPollMs: 50,
    ...(options.webDir ? { webDir: options.webDir } : {}),
  });
  await app.ready();
  return {
    app,
    store,
    config,
    clock,
    close: async () => {
      await app.close();
      await store.close();
    },
  };
}

/** Listens on a free loopback port; returns the base URL. */
export async function listenOnLoopback(t: TestApp): Promise<string> {
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  const address = t.app.server.address();
  return `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
}
