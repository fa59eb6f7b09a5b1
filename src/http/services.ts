import type { Config } from '../config.js';
import type { SecretBox } from '../lib/secret-box.js';
import type { Store } from '../store/database.js';

/** What routes need from the outside world, decorated onto the Fastify instance. */
export interface Services {
  config: Config;
  store: Store;
  secretBox: SecretBox;
  sessionKey: Buffer;
  /** The clock, injectable so tests can move time. */
  now: () => number;
}

declare module 'fastify' {
  interface FastifyInstance {
    services: Services;
  }
}
