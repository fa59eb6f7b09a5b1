/** Public shapes of the test LTI 1.3 platform (see index.ts for `startTestPlatform`). */
export type JsonObject = Record<string, unknown>;

/** A tool registered on the platform (by hand or through dynamic registration). */
export interface TestClient {
  clientId: string;
  deploymentIds: string[];
  /** Launch URLs the /auth endpoint accepts as redirect_uri. */
  redirectUris: string[];
  /** The tool's OIDC login initiation URL, when known. */
  loginUrl: string | null;
  /** The tool's JWKS, used for client assertions and deep linking responses. */
  toolJwksUrl: string | null;
  /** Scopes the token endpoint may grant this client. */
  allowedScopes: string[];
  /** Default target_link_uri; falls back to the first redirect URI. */
  targetLinkUri: string | null;
}

export type TestClientInput = Partial<Omit<TestClient, 'clientId'>> & { clientId: string };

export interface TestPlatformOptions {
  clients?: TestClientInput[];
  /** The platform's clock in epoch ms (id_token iat/exp, token expiry, assertion checks). Default Date.now. */
  now?: () => number;
  /** Page size for line items, results and memberships when the caller gives no `limit`. Default 10. */
  pageSize?: number;
  /** Lifetime of issued bearer tokens. Default 3600. */
  tokenTtlSeconds?: number;
  /** The audience client assertions must name; default the token endpoint URL. */
  tokenAudience?: string;
  /** Roster per context id for NRPS. */
  members?: Record<string, Member[]>;
  /** Lifetime of minted id_tokens. Default 300. */
  idTokenTtlSeconds?: number;
}

export type MessageKind = 'resource_link' | 'deep_linking' | 'submission_review';

export interface ContextClaim {
  id: string;
  label?: string;
  title?: string;
  type?: string[];
}

export interface PersonClaims {
  given_name?: string;
  family_name?: string;
  name?: string;
  email?: string;
}

export interface DeepLinkingSettings {
  deep_link_return_url: string;
  accept_types: string[];
  accept_presentation_document_targets: string[];
  accept_media_types?: string;
  accept_multiple?: boolean;
  accept_lineitem?: boolean;
  auto_create?: boolean;
  title?: string;
  text?: string;
  data?: string;
}

export interface Lti1p1Input {
  userId: string;
  consumerKey: string;
  /** Signs oauth_consumer_key_sign (HMAC-SHA256, base64) as LTI 1.3 migration describes. */
  consumerSecret: string;
  resourceLinkId?: string;
  contextId?: string;
}

/** What to put in an id_token; everything has a default. */
export interface LaunchInput {
  kind?: MessageKind;
  clientId?: string;
  deploymentId?: string;
  nonce?: string;
  sub?: string;
  roles?: string[];
  targetLinkUri?: string;
  /** null leaves out the context claim (and with it the AGS and NRPS claims). */
  context?: ContextClaim | null;
  resourceLink?: { id: string; title?: string; description?: string };
  /** null sends no personal data at all. */
  person?: PersonClaims | null;
  custom?: Record<string, string>;
  /** null leaves out the AGS claim; `scopes` defaults to the client's allowed AGS scopes. */
  ags?: { lineitem?: string; scopes?: string[] } | null;
  /** false leaves out the NRPS claim. Default true when there is a context. */
  nrps?: boolean;
  deepLinking?: Partial<DeepLinkingSettings>;
  /** Submission review: the student whose work is reviewed. */
  forUser?: JsonObject;
  lti1p1?: Lti1p1Input;
  lifetimeSeconds?: number;
  /** Shallow-merged over the payload; a key set to undefined is removed. */
  overrides?: JsonObject;
  /** Last word on payload and protected header, called just before signing. */
  mutate?: (payload: JsonObject, header: JsonObject) => void;
}

export interface MintedToken {
  idToken: string;
  payload: JsonObject;
  header: JsonObject;
  nonce: string;
}

export type BadTokenKind =
  | 'no_kid'
  | 'unknown_kid'
  | 'wrong_version'
  | 'no_version'
  | 'not_jwt'
  | 'no_message_type'
  | 'no_roles'
  | 'no_deployment_id'
  | 'no_resource_link_id'
  | 'no_sub'
  | 'expired'
  | 'alg_none'
  | 'hs256'
  | 'wrong_aud'
  | 'nonce_replay'
  | 'bad_state';

export interface BadToken {
  kind: BadTokenKind;
  idToken: string;
  /** The state to post with it: the one given, except for bad_state. */
  state: string;
}

export interface LoginInitiationInput {
  toolLoginUrl: string;
  targetLinkUri: string;
  loginHint: string;
  messageHint: string;
  storageTarget?: string;
  method: 'GET' | 'POST';
  clientId?: string;
  deploymentId?: string;
  /** What /auth mints for this message hint; `sub` defaults to the login hint. */
  launch?: LaunchInput;
}

export interface LoginInitiation {
  method: 'GET' | 'POST';
  /** For GET the full URL with the query; for POST the tool's login URL. */
  url: string;
  params: Record<string, string>;
  /** A page that submits the initiation by itself (either method). */
  html: string;
}

export interface Authorization {
  idToken: string;
  state: string;
  redirectUri: string;
  nonce: string;
  payload: JsonObject;
  /** Fields of the form_post, including lti_storage_target when the login had one. */
  form: Record<string, string>;
}

export interface LineItem {
  id: string;
  contextId: string;
  label: string;
  scoreMaximum: number;
  resourceId?: string;
  resourceLinkId?: string;
  tag?: string;
  startDateTime?: string;
  endDateTime?: string;
  /** The client that created it, or 'platform' for items made by the test or by deep linking. */
  createdBy: string;
}

export interface ScoreRecord {
  at: number;
  clientId: string;
  contextId: string;
  lineItemId: string;
  userId: string;
  scoreGiven: number | null;
  scoreMaximum: number | null;
  activityProgress: string;
  gradingProgress: string;
  timestamp: string;
  comment: string | null;
  /** False when an equal or newer timestamp was already on record, so the result did not change. */
  applied: boolean;
  body: JsonObject;
  /** The grant of the bearer token the score was posted with (see TokenRequestRecord.grantId). */
  grantId?: string;
}

export interface Member extends JsonObject {
  user_id: string;
  roles: string[];
}

export interface RequestRecord {
  at: number;
  method: string;
  path: string;
  status: number;
  clientId: string | null;
  detail: string | null;
}

export interface TokenRequestRecord extends RequestRecord {
  requestedScopes: string[];
  grantedScopes: string[];
  /** Names the token granted (null when refused); the scores posted with it name it too. */
  grantId: string | null;
  /** The JWKS URL the client assertion was verified against with jose (the client's jwks_uri). */
  verifiedWith: string | null;
  /** The kid in the client assertion's header. */
  assertionKid: string | null;
}

export interface CreatedLink {
  resourceLinkId: string;
  contextId: string | null;
  title: string | null;
  url: string | null;
  custom: Record<string, string>;
  lineItemId: string | null;
}

export interface DeepLinkReturnRecord {
  at: number;
  accepted: boolean;
  detail: string | null;
  clientId: string | null;
  deploymentId: string | null;
  contextId: string | null;
  data: string | null;
  items: JsonObject[];
  links: CreatedLink[];
  msg: string | null;
  errormsg: string | null;
  payload: JsonObject | null;
}

export interface RegistrationRecord {
  at: number;
  accepted: boolean;
  detail: string | null;
  request: JsonObject | null;
  clientId: string | null;
  deploymentId: string | null;
}
