import type { Kysely } from 'kysely';
import { buildSamplePackage } from '../scorm/sample-packages.js';
import { upsertContext, upsertResourceLink } from '../store/repositories/launch-records.js';
import type { Database } from '../store/schema.js';
import { DEMO_COURSE, DEMO_RESOURCE_LINK } from './sign-demo-launch.js';
import { storePackage } from './upload-package.js';

/**
 * The demo course's link comes with our sample SCORM 2004 exam already chosen, so that a
 * newcomer who opens it as a student lands straight in an exam. If an instructor replaced
 * the package through the demo, that choice is kept.
 */
export async function ensureDemoExam(db: Kysely<Database>, consumerId: number, now: number): Promise<void> {
  const contextId = await upsertContext(db, consumerId, { id: DEMO_COURSE.id, title: DEMO_COURSE.title, label: DEMO_COURSE.label, type: null }, now);
  const linkId = await upsertResourceLink(db, consumerId, contextId, { id: DEMO_RESOURCE_LINK.id, title: DEMO_RESOURCE_LINK.title, description: null }, now);
  const link = await db.selectFrom('resource_links').select('resource_id').where('id', '=', linkId).executeTakeFirstOrThrow();
  if (link.resource_id !== null) return;
  await storePackage(db, { resourceLinkId: linkId, consumerId, uploadedBy: null }, { zip: await buildSamplePackage('2004'), migrateExisting: false }, now);
}
