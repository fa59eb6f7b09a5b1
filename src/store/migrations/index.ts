import type { Migration, MigrationProvider } from 'kysely';
import * as m0001 from './0001-foundation.js';
import * as m0002 from './0002-exam-delivery.js';
import * as m0003 from './0003-value-order.js';
import * as m0004 from './0004-rules-and-passback.js';
import * as m0005 from './0005-lti13-platforms.js';
import * as m0006 from './0006-launch-subject.js';
import * as m0007 from './0007-batch-history.js';
import * as m0008 from './0008-job-claim-indexes.js';
import * as m0009 from './0009-values-in-history.js';
import * as m0010 from './0010-history-compression.js';
import * as m0011 from './0011-byte-order-keys.js';

/**
 * Migrations are listed here, in order, rather than read from disk, so the same list works
 * from TypeScript sources and from the compiled build. Never edit a listed migration: add one.
 */
const MIGRATIONS: Record<string, Migration> = {
  '0001-foundation': m0001,
  '0002-exam-delivery': m0002,
  '0003-value-order': m0003,
  '0004-rules-and-passback': m0004,
  '0005-lti13-platforms': m0005,
  '0006-launch-subject': m0006,
  '0007-batch-history': m0007,
  '0008-job-claim-indexes': m0008,
  '0009-values-in-history': m0009,
  '0010-history-compression': m0010,
  '0011-byte-order-keys': m0011,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => MIGRATIONS,
};
