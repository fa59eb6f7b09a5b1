import formbody from '@fastify/formbody';
import Fastify, { type FastifyInstance } from 'fastify';
import { AttemptWriter } from '../commands/attempt-writer.js';
import type { Config } from '../config.js';
import { deriveKey } from '../lib/keys.js';
import { createSecretBox } from '../lib/secret-box.js';
import type { Store } from '../store/database.js';
import { createLocalEventHub, createPostgresEventHub, type EventHub } from '../store/event-hub.js';
import { join } from 'node:path';
import { adminPlugin } from './plugins/admin.js';
import { drainConnectionsOnClose } from './drain-connections.js';
import { registerErrorHandling } from './plugins/error-handler.js';
import { demoLmsRoutes } from './routes/demo-lms.js';
import { appShellRoutes } from './routes/app-shell.js';
import { healthRoutes } from './routes/health.js';
import { homeRoutes } from './routes/home.js';
import { ltiConfigRoutes } from './routes/lti-config.js';
import { ltiLaunchRoutes } from './routes/lti-launch.js';
import { sessionApiRoutes } from './routes/session-api.js';
import { attemptApiRoutes } from './routes/attempt-api.js';
import { packageContentRoutes } from './routes/package-content.js';
import { resourceApiRoutes } from './routes/resource-api.js';
import { attemptSocketRoutes } from '../realtime/attempt-socket.js';
import { staticAssetRoutes } from './routes/static-assets.js';
import type { Services } from './services.js';

export interface AppOptions {
  config: Config;
  store: Store;
  /** Override the clock (tests). */
  now?: () => number;
  /** Where the built web app lives (dist/web). */
  webDir?: string;
  /** Override the event hub (tests sharing one between two apps, like two nodes). */
  events?: EventHub;
}

export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const { config, store } = options;
  const app = Fastify({
    logger: { level: config.logLevel },
    trustProxy: config.trustProxy,
    // Keep-alive connections must not hold a graceful shutdown open.
    forceCloseConnections: 'idle',
    requestIdHeader: false,
    // Consumer keys (up to 200 characters) and content grants (about 300) are path segments.
    routerOptions: { maxParamLength: 1024 },
  });
  const services: Services = {
    config,
    store,
    secretBox: createSecretBox(deriveKey(config.secretKey, 'secret-box')),
    sessionKey: deriveKey(config.secretKey, 'session-token'),
    grantKey: deriveKey(config.secretKey, 'package-grant'),
    // SQLite has a single writer; PostgreSQL commits several groups at once.
    writer: new AttemptWriter(store.db, { lanes: store.dialect === 'postgres' ? 4 : 1, now: options.now ?? Date.now }),
    events:
      options.events ??
      (config.databaseUrl ? await createPostgresEventHub(config.databaseUrl, (error) => app.log.error({ err: error }, 'event hub connection failed')) : createLocalEventHub()),
    packageCacheDir: join(config.dataDir, 'package-cache'),
    now: options.now ?? Date.now,
  };
  app.decorate('services', services);
  app.addHook('onClose', async () => {
    // Acknowledged batches are already committed; this lets queued ones finish before the store closes.
    await services.writer.idle();
    if (!options.events) await services.events.close();
  });
  registerErrorHandling(app);
  drainConnectionsOnClose(app);
  await app.register(formbody, { bodyLimit: 1024 * 1024 });
  app.addHook('onSend', async (_request, reply) => {
    reply.header('X-Content-Type-Options', 'nosniff');
    reply.header('Referrer-Policy', 'no-referrer');
  });
  await app.register(staticAssetRoutes);
  await app.register(healthRoutes);
  await app.register(homeRoutes);
  // The demo LMS signs launches with a well-known consumer: only when DEMO is on, never in production.
  if (config.demo) await app.register(demoLmsRoutes);
  await app.register(ltiLaunchRoutes);
  await app.register(sessionApiRoutes);
  await app.register(resourceApiRoutes);
  await app.register(attemptApiRoutes);
  await app.register(attemptSocketRoutes);
  await app.register(packageContentRoutes);
  if (options.webDir) await app.register(appShellRoutes, { webDir: options.webDir });
  await app.register(ltiConfigRoutes);
  await app.register(adminPlugin);
  return app;
}
