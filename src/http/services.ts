import type { AttemptWriter } from '../commands/attempt-writer.js';
import type { Config } from '../config.js';
import type { SecretBox } from '../lib/secret-box.js';
import type { Store } from '../store/database.js';
import type { EventHub } from '../store/event-hub.js';

/** What routes need from the outside world, decorated onto the Fastify instance. */
export interface Services {
  config: Config;
  store: Store;
  secretBox: SecretBox;
  sessionKey: Buffer;
  /** Signs content grants (package file URLs). */
  grantKey: Buffer;
  /** Group commit of attempt data. */
  writer: AttemptWriter;
  /** Events that cross nodes (LISTEN/NOTIFY on PostgreSQL). */
  events: EventHub;
  /** Local cache of extracted packages, by content hash. */
  packageCacheDir: string;
  /** The clock, injectable so tests can move time. */
  now: () => number;
}

declare module 'fastify' {
  interface FastifyInstance {
    services: Services;
  }
}
