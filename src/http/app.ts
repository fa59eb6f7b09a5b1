import formbody from '@fastify/formbody';
import Fastify, { type FastifyInstance } from 'fastify';
import { createAttemptWriter } from '../commands/create-attempt-writer.js';
import { ensureToolKey } from '../commands/ensure-tool-key.js';
import type { Config } from '../config.js';
import { registerJobHandlers } from '../jobs/handlers/index.js';
import { JobRunner, newNodeId } from '../jobs/job-runner.js';
import { deriveKey } from '../lib/keys.js';
import { createSecretBox } from '../lib/secret-box.js';
import { JwksCache } from '../lti/lti13/jwks-cache.js';
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
import { lti13KeyRoutes } from './routes/lti13-keys.js';
import { lti13RegisterRoutes } from './routes/lti13-register.js';
import { deepLinkingApiRoutes } from './routes/deep-linking-api.js';
import { lti13ServicesApiRoutes } from './routes/lti13-services-api.js';
import { ltiLaunchRoutes } from './routes/lti-launch.js';
import { lti13LoginRoutes } from './routes/lti13-login.js';
import { lti13LaunchRoutes } from './routes/lti13-launch.js';
import { sessionApiRoutes } from './routes/session-api.js';
import { attemptApiRoutes } from './routes/attempt-api.js';
import { packageContentRoutes } from './routes/package-content.js';
import { resourceApiRoutes } from './routes/resource-api.js';
import { instructorApiRoutes } from './routes/instructor-api.js';
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
  /** Run due jobs on this node once the app is ready (default true; false for an app that must not). */
  jobs?: boolean;
  /** How often the job runner looks for due jobs (tests shorten it). */
  jobPollMs?: number;
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
  const base = {
    config,
    store,
    secretBox: createSecretBox(deriveKey(config.secretKey, 'secret-box')),
    sessionKey: deriveKey(config.secretKey, 'session-token'),
    grantKey: deriveKey(config.secretKey, 'package-grant'),
    loginStateKey: deriveKey(config.secretKey, 'lti13-login-state'),
    // A platform that rotated its keys is refetched on an unknown kid, at most every 10 s.
    jwks: new JwksCache({ timeoutMs: 5_000, minRefetchMs: 10_000 }),
    // SQLite has a single writer; PostgreSQL commits several groups at once.
    writer: createAttemptWriter(store, options.now ?? Date.now),
    events:
      options.events ??
      (config.databaseUrl ? await createPostgresEventHub(config.databaseUrl, (error) => app.log.error({ err: error }, 'event hub connection failed')) : createLocalEventHub()),
    packageCacheDir: join(config.dataDir, 'package-cache'),
    now: options.now ?? Date.now,
  };
  const services: Services = {
    ...base,
    jobs: new JobRunner({
      db: store.db,
      node: newNodeId(),
      handlers: registerJobHandlers(base),
      concurrency: config.jobConcurrency,
      targetLimit: config.lmsConcurrency,
      ...(options.jobPollMs === undefined ? {} : { pollMs: options.jobPollMs }),
      now: base.now,
      log: app.log,
      events: base.events,
    }),
  };
  app.decorate('services', services);
  // The first LTI 1.3 signing key, before any request can ask for the JWKS.
  app.addHook('onReady', async () => {
    await ensureToolKey(store.db, services.secretBox, services.now());
  });
  if (options.jobs !== false) app.addHook('onReady', async () => services.jobs.start());
  app.addHook('onClose', async () => {
    // First: running jobs finish and are recorded while the store and the event hub are still open.
    await services.jobs.stop();
    // Acknowledged batches are already committed; this lets queued ones finish before the store closes.
    await services.writer.close();
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
  await app.register(lti13LoginRoutes);
  await app.register(lti13LaunchRoutes);
  await app.register(sessionApiRoutes);
  await app.register(resourceApiRoutes);
  await app.register(instructorApiRoutes);
  await app.register(attemptApiRoutes);
  await app.register(attemptSocketRoutes);
  await app.register(packageContentRoutes);
  if (options.webDir) await app.register(appShellRoutes, { webDir: options.webDir });
  await app.register(ltiConfigRoutes);
  await app.register(lti13KeyRoutes);
  await app.register(lti13RegisterRoutes);
  await app.register(deepLinkingApiRoutes);
  await app.register(lti13ServicesApiRoutes);
  await app.register(adminPlugin);
  return app;
}
