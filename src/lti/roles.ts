import { ROLE_PREFIXES } from './constants.js';

/**
 * LTI roles arrive as full URNs (urn:lti:role:ims/lis/Instructor), LIS v2 URIs, short
 * names (Instructor), sub-roles (Instructor/TeachingAssistant, or the v2 "#Instructor"
 * form), or comma-separated lists of any of these.
 */
export function parseRoles(raw: string | readonly string[] | undefined): string[] {
  const parts = typeof raw === 'string' ? raw.split(',') : (raw ?? []);
  return parts.map((r) => r.trim()).filter((r) => r !== '');
}

/** The short names a role grants: "urn:lti:role:ims/lis/Instructor/TeachingAssistant" → Instructor, TeachingAssistant. */
export function shortRoleNames(role: string): string[] {
  let rest = role;
  for (const prefix of ROLE_PREFIXES) {
    if (rest.startsWith(prefix)) {
      rest = rest.slice(prefix.length);
      break;
    }
  }
  // An unknown vocabulary URI: only its last segment can name a role.
  if (/^[a-z][a-z0-9+.-]*:/i.test(rest)) rest = rest.slice(Math.max(rest.lastIndexOf('#'), rest.lastIndexOf('/'), rest.lastIndexOf(':')) + 1);
  // Sub-roles: Instructor/TeachingAssistant, or Instructor#TeachingAssistant in LIS v2.
  return rest.split(/[/#]/).map((s) => s.trim()).filter((s) => s !== '' && s !== 'membership');
}

/**
 * A launch is an instructor's when any of its roles names a configured instructor role.
 * Unknown or missing roles make a student: the least privilege.
 */
export function isInstructor(roles: readonly string[], instructorRoles: readonly string[]): boolean {
  const wanted = new Set(instructorRoles.map((r) => r.toLowerCase()));
  return roles.some((role) => shortRoleNames(role).some((name) => wanted.has(name.toLowerCase())));
}
