import type { FastifyInstance } from 'fastify';
import type { Config } from './config.js';
import { ensureDemoConsumer } from './commands/ensure-demo-consumer.js';
import { ensureDemoExam } from './commands/ensure-demo-exam.js';
import { buildApp } from './http/app.js';
import { deriveKey } from './lib/keys.js';
import { createSecretBox } from './lib/secret-box.js';
import { webDir } from './package-root.js';
import { type Store, openStore } from './store/database.js';
import { purgeExpiredNonces } from './store/repositories/lti-nonces.js';

export interface RunningServer {
  app: FastifyInstance;
  store: Store;
  url: string;
  /** Stop accepting, finish requests in flight, close the database. */
  close(): Promise<void>;
}

const MAINTENANCE_INTERVAL_MS = 10 * 60 * 1000;

export async function startServer(config: Config): Promise<RunningServer> {
  const store = await openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  if (config.demo) {
    const demoConsumerId = await ensureDemoConsumer(store.db, createSecretBox(deriveKey(config.secretKey, 'secret-box')), Date.now());
    await ensureDemoExam(store.db, demoConsumerId, Date.now());
  }
  const app = await buildApp({ config, store, webDir: webDir() });
  // Started with the server, not with the first answer a student sends.
  app.services.writer.warm();
  if (config.secretKeyGenerated) {
    app.log.warn(`SECRET_KEY not set: using the key generated in ${config.dataDir}/secret-key (set SECRET_KEY in production)`);
  }
  await app.listen({ port: config.port, host: config.host });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const url = config.publicUrl?.origin ?? `http://localhost:${port}`;

  const maintenance = setInterval(() => {
    purgeExpiredNonces(store.db, Date.now()).catch((error: unknown) => app.log.error({ err: error }, 'nonce purge failed'));
  }, MAINTENANCE_INTERVAL_MS);
  maintenance.unref();

  let closing: Promise<void> | null = null;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      clearInterval(maintenance);
      await app.close();
      await store.close();
    })();
    return closing;
  };
  return { app, store, url, close };
}

/** SIGTERM/SIGINT close gracefully; a second signal exits at once. */
export function closeOnSignals(server: RunningServer): void {
  let signalled = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (signalled) process.exit(1);
    signalled = true;
    server.app.log.info({ signal }, 'shutting down: finishing requests in flight');
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        server.app.log.error({ err: error }, 'error during shutdown');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}
