import type { AttemptWriter } from '../commands/attempt-writer.js';
import type { Config } from '../config.js';
import type { JobRunner } from '../jobs/job-runner.js';
import type { SecretBox } from '../lib/secret-box.js';
import type { JwksCache } from '../lti/lti13/jwks-cache.js';
import type { Store } from '../store/database.js';
import type { EventHub } from '../store/event-hub.js';

/** What routes need from the outside world, decorated onto the Fastify instance. */
export interface Services {
  config: Config;
  store: Store;
  secretBox: SecretBox;
  sessionKey: Buffer;
  /** Signs LTI 1.3 login states (OIDC `state`), so any node can check a login another started. */
  loginStateKey: Buffer;
  /** LTI 1.3 platforms' public keys, cached per node. */
  jwks: JwksCache;
  /** Signs content grants (package file URLs). */
  grantKey: Buffer;
  /** Group commit of attempt data. */
  writer: AttemptWriter;
  /** Events that cross nodes (LISTEN/NOTIFY on PostgreSQL). */
  events: EventHub;
  /** Runs durable jobs (calls out to an LMS) on this node. */
  jobs: JobRunner;
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
