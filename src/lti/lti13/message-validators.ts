/**
 * The last launch step: the message type and the claims it requires, then the normalized
 * message the rest of the tool reads. Each message type has an ordered list of checks, so the
 * most basic fault is the one reported. Optional claims are read leniently (a malformed
 * optional value becomes null); required ones are refused with a code naming them.
 */
import { LTI13 } from '../constants.js';
import { parseRoles } from '../roles.js';
import type { JwtPayload } from './jwt.js';
import { type Lti1p1Claim, readLti1p1Claim } from './lti1p1.js';
import { Lti13Error } from './lti13-error.js';

export type Lti13MessageType =
  | typeof LTI13.messageTypes.resourceLink
  | typeof LTI13.messageTypes.deepLinkingRequest
  | typeof LTI13.messageTypes.submissionReview;

export interface Lti13Person {
  given: string | null;
  family: string | null;
  name: string | null;
  email: string | null;
  username: string | null;
}

/** Everything the message itself says; the pipeline adds platform, deployment and token facts. */
export interface Lti13MessageClaims {
  messageType: Lti13MessageType;
  sub: string;
  roles: string[];
  context: { id: string; label: string | null; title: string | null; type: string[] } | null;
  resourceLink: { id: string; title: string | null; description: string | null } | null;
  person: Lti13Person;
  custom: Record<string, string>;
  launchPresentation: {
    documentTarget: string | null;
    returnUrl: string | null;
    locale: string | null;
    width: number | null;
    height: number | null;
  } | null;
  ags: { lineitem: string | null; lineitems: string | null; scopes: string[] } | null;
  nrps: { url: string } | null;
  deepLinking: {
    returnUrl: string;
    acceptTypes: string[];
    acceptPresentationDocumentTargets: string[];
    acceptMediaTypes: string | null;
    acceptMultiple: boolean | null;
    autoCreate: boolean | null;
    title: string | null;
    text: string | null;
    /** Opaque: must be echoed unchanged in the deep linking response. */
    data: string | null;
  } | null;
  forUser: ({ userId: string; roles: string[] } & Lti13Person) | null;
  lti1p1: Lti1p1Claim | null;
  lis: { personSourcedid: string | null; courseOfferingSourcedid: string | null; courseSectionSourcedid: string | null } | null;
  toolPlatform: { guid: string | null; name: string | null; productFamilyCode: string | null } | null;
  /** From the signed id_token; null only for message types where it is optional. */
  targetLinkUri: string | null;
}

type Claims = Record<string, unknown>;
type Check = (payload: JwtPayload) => Lti13Error | null;

const C = LTI13.claims;
const T = LTI13.messageTypes;

function obj(value: unknown): Claims | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Claims) : null;
}

function str(value: unknown): string | null {
  return typeof value === 'string' && value.trim() !== '' ? value : null;
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string' && v.trim() !== '') : [];
}

function num(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

function bool(value: unknown): boolean | null {
  return typeof value === 'boolean' ? value : null;
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}

// ---- the checks, each naming the claim it needs ----

const hasSub: Check = (p) => {
  if (p.sub === undefined || p.sub === null || p.sub === '') {
    return new Lti13Error('sub_missing', 'The launch has no user id (sub claim); anonymous launches are not accepted.');
  }
  if (typeof p.sub !== 'string' || p.sub.length > 255) {
    return new Lti13Error('bad_claim', 'The launch user id (sub claim) is not a string of at most 255 characters.');
  }
  return null;
};

const hasRoles: Check = (p) => {
  const roles = p[C.roles];
  if (roles === undefined || roles === null) return new Lti13Error('roles_missing', `The launch has no roles claim (${C.roles}).`);
  // An empty array is valid: a user with no role in the context, treated as a student.
  if (!Array.isArray(roles)) return new Lti13Error('bad_claim', 'The launch roles claim is not an array.');
  return null;
};

const hasResourceLink: Check = (p) => {
  const link = obj(p[C.resourceLink]);
  if (link === null || str(link.id) === null) {
    return new Lti13Error('resource_link_missing', 'The launch has no resource link id, so the tool cannot tell which link was opened.');
  }
  if ((link.id as string).length > 255) return new Lti13Error('bad_claim', 'The resource link id is longer than 255 characters.');
  return null;
};

const hasTargetLinkUri: Check = (p) => {
  const uri = str(p[C.targetLinkUri]);
  if (uri === null) return new Lti13Error('target_link_uri_missing', 'The launch has no target_link_uri claim.');
  return isHttpUrl(uri) ? null : new Lti13Error('bad_claim', 'The launch target_link_uri is not an http(s) URL.');
};

const contextHasId: Check = (p) => {
  const context = p[C.context];
  if (context === undefined || context === null) return null; // no context is a valid launch
  const c = obj(context);
  return c !== null && str(c.id) !== null ? null : new Lti13Error('bad_claim', 'The launch context claim has no id.');
};

const hasDeepLinkingSettings: Check = (p) => {
  const s = obj(p[C.deepLinkingSettings]);
  const returnUrl = s === null ? null : str(s.deep_link_return_url);
  if (s === null || returnUrl === null) {
    return new Lti13Error('deep_linking_settings_missing', 'The deep linking request has no deep_link_return_url in its settings.');
  }
  if (!isHttpUrl(returnUrl)) return new Lti13Error('bad_claim', 'The deep_link_return_url is not an http(s) URL.');
  if (!Array.isArray(s.accept_types) || !Array.isArray(s.accept_presentation_document_targets)) {
    return new Lti13Error(
      'deep_linking_settings_missing',
      'The deep linking settings lack accept_types or accept_presentation_document_targets.',
    );
  }
  return null;
};

const hasForUser: Check = (p) =>
  str(obj(p[C.forUser])?.user_id) === null
    ? new Lti13Error('for_user_missing', 'The submission review request does not say whose submission to show (for_user.user_id).')
    : null;

const hasAgsLineItem: Check = (p) =>
  str(obj(p[C.ags])?.lineitem) === null
    ? new Lti13Error('ags_lineitem_missing', 'The submission review request names no line item (AGS endpoint claim lineitem).')
    : null;

/** The checks of each message type, in the order they run. */
export const MESSAGE_CHECKS: Readonly<Record<Lti13MessageType, readonly Check[]>> = {
  [T.resourceLink]: [hasSub, hasRoles, hasResourceLink, hasTargetLinkUri, contextHasId],
  [T.deepLinkingRequest]: [hasSub, hasRoles, hasDeepLinkingSettings, contextHasId],
  [T.submissionReview]: [hasSub, hasRoles, hasResourceLink, hasForUser, hasAgsLineItem, contextHasId],
};

function isMessageType(value: string): value is Lti13MessageType {
  return Object.prototype.hasOwnProperty.call(MESSAGE_CHECKS, value);
}

// ---- normalization ----

function person(c: Claims): Lti13Person {
  const ext = obj(c[C.ext]);
  const lis = obj(c[C.lis]);
  return {
    given: str(c.given_name),
    family: str(c.family_name),
    name: str(c.name),
    email: str(c.email),
    username: str(c.preferred_username) ?? str(ext?.user_username) ?? str(lis?.person_sourcedid),
  };
}

function custom(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(obj(value) ?? {})) {
    if (typeof v === 'string') out[k] = v;
    else if (typeof v === 'number' || typeof v === 'boolean') out[k] = String(v);
  }
  return out;
}

function normalize(p: JwtPayload, messageType: Lti13MessageType): Lti13MessageClaims {
  const context = obj(p[C.context]);
  const link = obj(p[C.resourceLink]);
  const presentation = obj(p[C.launchPresentation]);
  const ags = obj(p[C.ags]);
  const nrpsUrl = str(obj(p[C.nrps])?.context_memberships_url);
  const dl = obj(p[C.deepLinkingSettings]);
  const forUser = obj(p[C.forUser]);
  const lis = obj(p[C.lis]);
  const platform = obj(p[C.toolPlatform]);
  const contextId = str(context?.id);
  const linkId = str(link?.id);
  const dlReturnUrl = str(dl?.deep_link_return_url);
  const forUserId = str(forUser?.user_id);
  return {
    messageType,
    sub: p.sub as string,
    roles: parseRoles(strings(p[C.roles])),
    context: context && contextId ? { id: contextId, label: str(context.label), title: str(context.title), type: strings(context.type) } : null,
    resourceLink: link && linkId ? { id: linkId, title: str(link.title), description: str(link.description) } : null,
    person: person(p),
    custom: custom(p[C.custom]),
    launchPresentation: presentation
      ? {
          documentTarget: str(presentation.document_target),
          returnUrl: str(presentation.return_url),
          locale: str(presentation.locale),
          width: num(presentation.width),
          height: num(presentation.height),
        }
      : null,
    ags: ags ? { lineitem: str(ags.lineitem), lineitems: str(ags.lineitems), scopes: strings(ags.scope) } : null,
    nrps: nrpsUrl ? { url: nrpsUrl } : null,
    deepLinking:
      dl && dlReturnUrl
        ? {
            returnUrl: dlReturnUrl,
            acceptTypes: strings(dl.accept_types),
            acceptPresentationDocumentTargets: strings(dl.accept_presentation_document_targets),
            acceptMediaTypes: str(dl.accept_media_types),
            acceptMultiple: bool(dl.accept_multiple),
            autoCreate: bool(dl.auto_create),
            title: str(dl.title),
            text: str(dl.text),
            data: typeof dl.data === 'string' ? dl.data : null,
          }
        : null,
    forUser: forUser && forUserId ? { userId: forUserId, roles: parseRoles(strings(forUser.roles)), ...person(forUser) } : null,
    lti1p1: readLti1p1Claim(p[C.lti1p1]),
    lis: lis
      ? {
          personSourcedid: str(lis.person_sourcedid),
          courseOfferingSourcedid: str(lis.course_offering_sourcedid),
          courseSectionSourcedid: str(lis.course_section_sourcedid),
        }
      : null,
    toolPlatform: platform
      ? { guid: str(platform.guid), name: str(platform.name), productFamilyCode: str(platform.product_family_code) }
      : null,
    targetLinkUri: str(p[C.targetLinkUri]),
  };
}

/**
 * Checks the message type and its required claims, and returns the normalized claims.
 * Throws `message_type_missing`, `bad_message_type` or the code of the first missing claim.
 */
export function validateMessageClaims(payload: JwtPayload): Lti13MessageClaims {
  const type = payload[C.messageType];
  if (type === undefined || type === null || type === '') {
    throw new Lti13Error('message_type_missing', `The launch has no message_type claim (${C.messageType}).`);
  }
  if (typeof type !== 'string' || !isMessageType(type)) {
    throw new Lti13Error(
      'bad_message_type',
      `The launch message type "${String(type)}" is not one this tool accepts (${Object.keys(MESSAGE_CHECKS).join(', ')}).`,
    );
  }
  for (const check of MESSAGE_CHECKS[type]) {
    const failure = check(payload);
    if (failure) throw failure;
  }
  return normalize(payload, type);
}
