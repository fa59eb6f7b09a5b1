/**
 * A deep linking request names no resource link, so its session hangs off one placeholder link
 * per context whose LTI id starts with this prefix (recorded by the LTI 1.3 launch). Such a row is
 * bookkeeping, not a link an LMS placed in a course: counts and lists shown to people leave it out
 * with `where('resource_links.lti_resource_link_id', 'not like', DEEP_LINKING_PLACEHOLDER_LIKE)`.
 */
export const DEEP_LINKING_PLACEHOLDER_PREFIX = 'lti13-deep-linking:';

/** The LIKE pattern of placeholder ids (the prefix holds no `%` or `_`, so it matches as written). */
export const DEEP_LINKING_PLACEHOLDER_LIKE = `${DEEP_LINKING_PLACEHOLDER_PREFIX}%`;

export function isDeepLinkingPlaceholder(ltiResourceLinkId: string): boolean {
  return ltiResourceLinkId.startsWith(DEEP_LINKING_PLACEHOLDER_PREFIX);
}
