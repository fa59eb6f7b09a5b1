import { createHash } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import { type LtiSession, sessionMessage } from '../domain/session-token.js';
import { AppError } from '../lib/errors.js';
import { type InspectedPackage, inspectPackage } from '../scorm/inspect-package.js';
import { isPackageError } from '../scorm/package-error.js';
import type { Database } from '../store/schema.js';
import type { PackageVersionRow } from '../store/tables/packages.js';
import { requireInstructor } from './resource-access.js';

export interface UploadInput {
  zip: Buffer;
  /** Move existing attempts to the new version (the instructor says it is compatible). */
  migrateExisting: boolean;
}

/**
 * Checks a package and stores it as a new immutable version of the session's resource,
 * creating the resource on the link's first upload. A package that fails any check is
 * refused with its message and nothing is stored.
 */
export async function uploadPackage(db: Kysely<Database>, session: LtiSession, input: UploadInput, now: number): Promise<PackageVersionRow> {
  requireInstructor(session);
  // A deep linking session hangs off a placeholder, not a link in the course: its exams are
  // created on the deep linking page, which returns them to the LMS as new links.
  if (sessionMessage(session) !== 'resource-link') throw new AppError('forbidden', 'Choose or upload the exam on the deep linking page: this session does not open a link of the course.');
  return storePackage(db, { resourceLinkId: session.resourceLinkId, consumerId: session.consumerId, uploadedBy: session.userId }, input, now);
}

/** Stores a checked package for a resource link (the demo's sample exam comes this way too). */
export async function storePackage(
  db: Kysely<Database>,
  target: { resourceLinkId: number; consumerId: number; uploadedBy: number | null },
  input: UploadInput,
  now: number,
): Promise<PackageVersionRow> {
  const inspected = await inspectOrRefuse(input.zip);
  return db.transaction().execute(async (trx) => {
    const link = await trx
      .selectFrom('resource_links')
      .selectAll()
      .where('id', '=', target.resourceLinkId)
      .where('consumer_id', '=', target.consumerId)
      .executeTakeFirst();
    if (!link) throw new AppError('session_invalid', 'This session no longer matches a known link. Open the link from your course again.');
    let resourceId = link.resource_id;
    if (resourceId === null) {
      const created = await trx
        .insertInto('resources')
        .values({ consumer_id: link.consumer_id, context_id: link.context_id, title: link.title ?? inspected.title, current_package_version_id: null, created_at: now, updated_at: now })
        .returning('id')
        .executeTakeFirstOrThrow();
      resourceId = created.id;
      await trx.updateTable('resource_links').set({ resource_id: resourceId }).where('id', '=', link.id).execute();
    }
    return insertPackageVersion(trx, resourceId, inspected, input, target.uploadedBy, now);
  });
}

/**
 * Creates a resource in a course that no link opens yet, with its first package: deep linking
 * makes the exam first and the platform makes the link afterwards (the launch then binds it).
 */
export async function createResourceWithPackage(
  db: Kysely<Database>,
  target: { consumerId: number; contextId: number | null; title: string | null; uploadedBy: number | null },
  input: UploadInput,
  now: number,
): Promise<{ resourceId: number; version: PackageVersionRow }> {
  const inspected = await inspectOrRefuse(input.zip);
  return db.transaction().execute(async (trx) => {
    const created = await trx
      .insertInto('resources')
      .values({ consumer_id: target.consumerId, context_id: target.contextId, title: target.title ?? inspected.title, current_package_version_id: null, created_at: now, updated_at: now })
      .returning('id')
      .executeTakeFirstOrThrow();
    const version = await insertPackageVersion(trx, created.id, inspected, input, target.uploadedBy, now);
    return { resourceId: created.id, version };
  });
}

async function inspectOrRefuse(zip: Buffer): Promise<InspectedPackage> {
  try {
    return await inspectPackage(zip);
  } catch (error) {
    if (isPackageError(error)) throw new AppError('bad_request', error.message);
    throw error;
  }
}

async function insertPackageVersion(
  trx: Transaction<Database>,
  resourceId: number,
  inspected: InspectedPackage,
  input: UploadInput,
  uploadedBy: number | null,
  now: number,
): Promise<PackageVersionRow> {
  const sha256 = createHash('sha256').update(input.zip).digest('hex');
  await trx
    .insertInto('package_blobs')
    .values({ sha256, size: input.zip.length, data: input.zip, created_at: now })
    .onConflict((oc) => oc.column('sha256').doNothing())
    .execute();
  const version = await trx
    .insertInto('package_versions')
    .values({
      resource_id: resourceId,
      sha256,
      scorm_version: inspected.scormVersion,
      schema_version: inspected.schemaVersion,
      title: inspected.title,
      launch_path: inspected.launchPath,
      launch_query: inspected.launchQuery,
      numbas_version: inspected.numbas?.version ?? (inspected.numbas ? 'unknown' : null),
      file_count: inspected.files.length,
      uncompressed_bytes: inspected.uncompressedBytes,
      uploaded_by_user_id: uploadedBy,
      created_at: now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  await trx.updateTable('resources').set({ current_package_version_id: version.id, updated_at: now }).where('id', '=', resourceId).execute();
  if (input.migrateExisting) {
    await trx.updateTable('attempts').set({ package_version_id: version.id, updated_at: now }).where('resource_id', '=', resourceId).execute();
  }
  return version;
}
