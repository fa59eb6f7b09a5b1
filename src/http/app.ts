import formbody from '@fastify/formbody';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Config } from '../config.js';
import { deriveKey } from '../lib/keys.js';
import { createSecretBox } from '../lib/secret-box.js';
import type { Store } from '../store/database.js';
import { registerErrorHandling } from './plugins/error-handler.js';
import { healthRoutes } from './routes/health.js';
import { ltiLaunchRoutes } from './routes/lti-launch.js';
import { sessionApiRoutes } from './routes/session-api.js';
import { staticAssetRoutes } from './routes/static-assets.js';
import type { Services } from './services.js';

export interface AppOptions {
  config: Config;
  store: Store;
  /** Override the clock (tests). */
  now?: () => number;
  /** Where the built web app lives (dist/web). */
  webDir?: string;
}

export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const { config, store } = options;
  const app = Fastify({
    logger: { level: config.logLevel },
    trustProxy: config.trustProxy,
    // Keep-alive connections must not hold a graceful shutdown open.
    forceCloseConnections: 'idle',
    requestIdHeader: false,
    disableRequestLogging: config.logLevel !== 'debug' && config.logLevel !== 'trace',
  });
  const services: Services = {
    config,
    store,
    secretBox: createSecretBox(deriveKey(config.secretKey, 'secret-box')),
    sessionKey: deriveKey(config.secretKey, 'session-token'),
    now: options.now ?? Date.now,
  };
  app.decorate('services', services);
  registerErrorHandling(app);
  await app.register(formbody, { bodyLimit: 1024 * 1024 });
  app.addHook('onSend', async (_request, reply) => {
    reply.header('X-Content-Type-Options', 'nosniff');
    reply.header('Referrer-Policy', 'no-referrer');
  });
  await app.register(staticAssetRoutes);
  await app.register(healthRoutes);
  await app.register(ltiLaunchRoutes);
  await app.register(sessionApiRoutes);
  return app;
}
