import { LTI11 } from '../constants.js';

/** The fields of an LTI 1.1 basic launch that the tool uses, already validated. */
export interface Lti11Launch {
  consumerKey: string;
  resourceLinkId: string;
  resourceLinkTitle: string | null;
  resourceLinkDescription: string | null;
  /** Null for an anonymous launch (the certification's "only resource_link_id" case). */
  userId: string | null;
  roles: string[];
  rolesRaw: string;
  person: {
    given: string | null;
    family: string | null;
    full: string | null;
    email: string | null;
    /** lis_person_sourcedid, or Canvas/Moodle's ext_user_username. */
    username: string | null;
  };
  context: { id: string; title: string | null; label: string | null; type: string | null } | null;
  outcomes: { serviceUrl: string | null; resultSourcedid: string | null; extOutcomeUrl: string | null };
  returnUrl: string | null;
  locale: string | null;
  version: string;
}

export type LaunchFailure =
  | 'missing_lti_version'
  | 'bad_lti_version'
  | 'missing_message_type'
  | 'bad_message_type'
  | 'missing_resource_link_id'
  | 'missing_consumer_key';

export type LaunchCheck = { ok: true; launch: Lti11Launch } | { ok: false; reason: LaunchFailure; message: string };

type Params = ReadonlyMap<string, string>;

/** One step of the pipeline: returns a failure, or null to continue. */
type Validator = (params: Params) => { reason: LaunchFailure; message: string } | null;

function text(params: Params, name: string): string | null {
  const value = params.get(name);
  if (value === undefined) return null;
  const trimmed = value.trim();
  return trimmed === '' ? null : trimmed;
}

/**
 * The ordered checks of an LTI 1.1 launch message, before any storage is touched.
 * Order matters for the message the user sees: the most basic fault is reported first.
 */
const VALIDATORS: readonly Validator[] = [
  (p) => (text(p, 'oauth_consumer_key') ? null : { reason: 'missing_consumer_key', message: 'The launch has no oauth_consumer_key.' }),
  (p) => (text(p, 'lti_version') ? null : { reason: 'missing_lti_version', message: 'The launch has no lti_version.' }),
  (p) => {
    const v = text(p, 'lti_version');
    return v === LTI11.version || v === LTI11.versionAlt
      ? null
      : { reason: 'bad_lti_version', message: `Unsupported lti_version "${v}": expected ${LTI11.version}.` };
  },
  (p) => (text(p, 'lti_message_type') ? null : { reason: 'missing_message_type', message: 'The launch has no lti_message_type.' }),
  (p) => {
    const t = text(p, 'lti_message_type');
    return t === LTI11.basicLaunch
      ? null
      : { reason: 'bad_message_type', message: `Unsupported lti_message_type "${t}": expected ${LTI11.basicLaunch}.` };
  },
  (p) =>
    text(p, 'resource_link_id')
      ? null
      : { reason: 'missing_resource_link_id', message: 'The launch has no resource_link_id, so the tool cannot tell which link was opened.' },
];

export function checkLaunchMessage(params: Params): LaunchCheck {
  for (const validate of VALIDATORS) {
    const failure = validate(params);
    if (failure) return { ok: false, ...failure };
  }
  const rolesRaw = params.get('roles') ?? '';
  const contextId = text(params, 'context_id');
  return {
    ok: true,
    launch: {
      consumerKey: text(params, 'oauth_consumer_key') ?? '',
      resourceLinkId: text(params, 'resource_link_id') ?? '',
      resourceLinkTitle: text(params, 'resource_link_title'),
      resourceLinkDescription: text(params, 'resource_link_description'),
      userId: text(params, 'user_id'),
      roles: rolesRaw.split(',').map((r) => r.trim()).filter((r) => r !== ''),
      rolesRaw,
      person: {
        given: text(params, 'lis_person_name_given'),
        family: text(params, 'lis_person_name_family'),
        full: text(params, 'lis_person_name_full'),
        email: text(params, 'lis_person_contact_email_primary'),
        username: text(params, 'ext_user_username') ?? text(params, 'lis_person_sourcedid'),
      },
      context: contextId
        ? { id: contextId, title: text(params, 'context_title'), label: text(params, 'context_label'), type: text(params, 'context_type') }
        : null,
      outcomes: {
        serviceUrl: text(params, 'lis_outcome_service_url'),
        resultSourcedid: text(params, 'lis_result_sourcedid'),
        extOutcomeUrl: text(params, 'ext_ims_lis_basic_outcome_url'),
      },
      returnUrl: text(params, 'launch_presentation_return_url'),
      locale: text(params, 'launch_presentation_locale'),
      version: text(params, 'lti_version') ?? LTI11.version,
    },
  };
}

/** Where to send the user with lti_errormsg, when the LMS gave a usable return URL. */
export function errorReturnUrl(returnUrl: string | undefined, message: string): string | null {
  if (!returnUrl) return null;
  let url: URL;
  try {
    url = new URL(returnUrl);
  } catch {
    return null;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return null;
  url.searchParams.set('lti_errormsg', message);
  return url.toString();
}
