/**
 * Why an LTI 1.3 login or launch was refused. Kept out of src/lib/errors.ts like the LTI 1.1
 * outcome errors: this is protocol code with no HTTP; the launch route turns these into
 * `AppError`s. Every code names one check, so a refusal can be told apart in logs and tests,
 * and every message says plainly what was wrong (it may be shown to the person launching).
 */
export type Lti13ErrorCode =
  // OIDC login initiation
  | 'login_missing_param'
  | 'login_bad_param'
  | 'login_ambiguous_platform'
  // 1. state
  | 'state_missing'
  | 'state_invalid'
  | 'state_expired'
  | 'state_mismatch'
  // 2. JWT format
  | 'jwt_format'
  // 3. registered issuer and client id
  | 'unknown_platform'
  | 'platform_mismatch'
  | 'platform_disabled'
  // 4. signature
  | 'jwt_alg'
  | 'jwt_no_kid'
  | 'jwt_unknown_kid'
  | 'jwt_key'
  | 'jwt_signature'
  | 'jwks_fetch'
  // 5. audience
  | 'aud_mismatch'
  | 'azp_missing'
  | 'azp_mismatch'
  // 6. times
  | 'token_times_missing'
  | 'token_expired'
  | 'token_iat_future'
  | 'token_not_yet_valid'
  // 7. nonce
  | 'nonce_missing'
  | 'nonce_mismatch'
  | 'nonce_replayed'
  // 8. deployment
  | 'deployment_missing'
  | 'unknown_deployment'
  // 9. version
  | 'version_missing'
  | 'bad_version'
  // 10. message type and its claims
  | 'message_type_missing'
  | 'bad_message_type'
  | 'sub_missing'
  | 'roles_missing'
  | 'resource_link_missing'
  | 'target_link_uri_missing'
  | 'deep_linking_settings_missing'
  | 'for_user_missing'
  | 'ags_lineitem_missing'
  | 'bad_claim';

/** The named steps of the launch pipeline, in the order they run. */
export const LAUNCH_STEPS = [
  'state',
  'jwt_format',
  'platform',
  'signature',
  'audience',
  'times',
  'nonce',
  'deployment',
  'version',
  'message',
] as const;

export type LaunchStep = (typeof LAUNCH_STEPS)[number];

export class Lti13Error extends Error {
  readonly code: Lti13ErrorCode;
  /** The launch step that refused, when the error came from the launch pipeline. */
  step: LaunchStep | null = null;

  constructor(code: Lti13ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'Lti13Error';
    this.code = code;
  }
}

export function isLti13Error(value: unknown): value is Lti13Error {
  return value instanceof Lti13Error;
}
