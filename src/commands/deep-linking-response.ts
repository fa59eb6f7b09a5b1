import type { Kysely } from 'kysely';
import type { LtiSession } from '../domain/session-token.js';
import { AppError } from '../lib/errors.js';
import type { SecretBox } from '../lib/secret-box.js';
import { deepLinkingResponse, ltiResourceLinkItem } from '../lti/lti13/deep-linking.js';
import type { Database } from '../store/schema.js';
import { RESOURCE_ID_CUSTOM } from './bind-link-to-resource.js';
import { requireDeepLinkingSession } from './deep-linking-session.js';
import { signingKey } from './signing-key.js';

/** Every exam is graded out of 100 in the LMS: scores are sent scaled to it. */
export const LINE_ITEM_SCORE_MAXIMUM = 100;
/** Marks the gradebook columns this tool declared, so they can be told from others. */
export const LINE_ITEM_TAG = 'lti-exam-provider';

export interface DeepLinkingAnswer {
  /** Where the browser posts the JWT (form field `JWT`). */
  returnUrl: string;
  jwt: string;
  resourceId: number;
  title: string;
}

/**
 * The instructor chose an exam of this course: the signed LtiDeepLinkingResponse with one
 * ltiResourceLink whose custom `resource_id` names it (the first launch binds the new link to
 * it), declaring a gradebook column (label, scoreMaximum, resourceId, tag), and echoing the
 * request's data. The resource must be of the session's own tenant and course.
 */
export async function deepLinkingResponseFor(
  db: Kysely<Database>,
  box: SecretBox,
  session: LtiSession,
  input: { resourceId: number; toolOrigin: string },
  now: number,
): Promise<DeepLinkingAnswer> {
  const dl = await requireDeepLinkingSession(db, session);
  const resource = await db
    .selectFrom('resources')
    .leftJoin('package_versions', 'package_versions.id', 'resources.current_package_version_id')
    .select(['resources.id', 'resources.title', 'package_versions.title as package_title'])
    .where('resources.id', '=', input.resourceId)
    .where('resources.consumer_id', '=', session.consumerId)
    .where('resources.context_id', '=', dl.contextId)
    .executeTakeFirst();
  if (!resource) throw new AppError('not_found', 'There is no such exam in this course.');
  const title = resource.title ?? resource.package_title ?? 'Exam';
  const item = ltiResourceLinkItem({
    title,
    url: `${input.toolOrigin}/lti/launch`,
    custom: { [RESOURCE_ID_CUSTOM]: String(resource.id) },
    lineItem: { label: title, scoreMaximum: LINE_ITEM_SCORE_MAXIMUM, resourceId: String(resource.id), tag: LINE_ITEM_TAG },
  });
  const jwt = deepLinkingResponse(
    {
      toolClientId: dl.platform.client_id,
      platformIssuer: dl.platform.issuer,
      deploymentId: dl.deploymentId,
      data: dl.data,
      items: [item],
      message: `Added “${title}”.`,
    },
    await signingKey(db, box, now),
    now,
  );
  return { returnUrl: dl.returnUrl, jwt, resourceId: resource.id, title };
}
