import type { Kysely } from 'kysely';
import type { LtiSession } from '../domain/session-token.js';
import type { Database } from '../store/schema.js';
import type { PackageVersionRow } from '../store/tables/packages.js';
import { requireDeepLinkingSession } from './deep-linking-session.js';
import { createResourceWithPackage, type UploadInput } from './upload-package.js';

const TITLE_MAX = 200;

/**
 * Deep linking, "create a new exam": the package is checked like any upload and becomes a new
 * resource of the request's course, not tied to a link yet; the link the platform makes from
 * our answer is bound to it on its first launch.
 */
export async function createDeepLinkResource(
  db: Kysely<Database>,
  session: LtiSession,
  input: UploadInput & { title: string | null },
  now: number,
): Promise<{ resourceId: number; version: PackageVersionRow }> {
  const dl = await requireDeepLinkingSession(db, session);
  const title = input.title?.trim().slice(0, TITLE_MAX) ?? '';
  return createResourceWithPackage(
    db,
    { consumerId: session.consumerId, contextId: dl.contextId, title: title === '' ? null : title, uploadedBy: session.userId },
    { zip: input.zip, migrateExisting: false },
    now,
  );
}
