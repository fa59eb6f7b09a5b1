/**
 * Names and Role Provisioning Services 2.0: the context's roster, every page of it
 * (`Link: <…>; rel="next"`). Protocol only: the caller brings the token and the URL from the
 * launch's namesroleservice claim.
 */
import { LTI13_SERVICES } from '../constants.js';
import { NrpsError } from './service-errors.js';
import { type ServiceCall, bearer, forEachPage, isObject, parseJsonObject, sendServiceRequest, withQuery } from './service-http.js';

export { NrpsError } from './service-errors.js';

export type MemberStatus = 'Active' | 'Inactive' | 'Deleted';

export interface Member {
  userId: string;
  roles: string[];
  name: string | null;
  givenName: string | null;
  familyName: string | null;
  email: string | null;
  /** NRPS says a member without a status is Active. */
  status: MemberStatus;
  /** The user's LTI 1.1 user_id on this platform, when it has one (for matching users already known). */
  lti11LegacyUserId: string | null;
}

export interface Membership {
  context: { id: string; label: string | null; title: string | null } | null;
  members: Member[];
}

export interface MembershipFilter {
  /** Only members with this role (a full role URI or a short name the platform knows). */
  role?: string;
  /** Members of the context who can see this resource link. */
  resourceLinkId?: string;
  /** Page size asked of the platform; the platform may choose another. */
  limit?: number;
}

function text(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

/** A member from a platform's JSON, or null when it has no user id. */
export function parseMember(value: unknown): Member | null {
  if (!isObject(value)) return null;
  const userId = text(value.user_id);
  if (userId === null) return null;
  const status = value.status === 'Inactive' || value.status === 'Deleted' ? value.status : 'Active';
  return {
    userId,
    roles: Array.isArray(value.roles) ? value.roles.filter((r): r is string => typeof r === 'string') : [],
    name: text(value.name),
    givenName: text(value.given_name),
    familyName: text(value.family_name),
    email: text(value.email),
    status,
    lti11LegacyUserId: text(value.lti11_legacy_user_id),
  };
}

function parseContext(value: unknown): Membership['context'] {
  if (!isObject(value)) return null;
  const id = text(value.id);
  if (id === null) return null;
  return { id, label: text(value.label), title: text(value.title) };
}

/** Every member of the context, following `rel="next"` pages. */
export async function readMemberships(membershipsUrl: string, filter: MembershipFilter, call: ServiceCall): Promise<Membership> {
  const what = "The platform's names and roles service";
  const first = withQuery(membershipsUrl, { role: filter.role, rlid: filter.resourceLinkId, limit: filter.limit });
  const members: Member[] = [];
  const seenUsers = new Set<string>();
  let context: Membership['context'] = null;
  await forEachPage(
    first,
    (url) =>
      sendServiceRequest(
        { method: 'GET', url, headers: { Authorization: bearer(call), Accept: LTI13_SERVICES.mediaTypes.membershipContainer }, what },
        call,
        NrpsError,
      ),
    (response) => {
      const page = parseJsonObject(response, what, NrpsError);
      if (!Array.isArray(page.members)) {
        throw new NrpsError({ kind: 'malformed', status: response.status, description: `${what} answered a page without members.`, retryable: true });
      }
      context ??= parseContext(page.context);
      for (const entry of page.members) {
        const member = parseMember(entry);
        // A member listed on two pages (the roster changed while paging) is kept once.
        if (member === null || seenUsers.has(member.userId)) continue;
        seenUsers.add(member.userId);
        members.push(member);
      }
    },
    (description) => new NrpsError({ kind: 'malformed', status: null, description: `${what}: ${description}`, retryable: false }),
  );
  return { context, members };
}
