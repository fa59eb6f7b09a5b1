/**
 * LTI Dynamic Registration 1.0, the tool's half: read the platform's OpenID configuration,
 * build the tool's registration (OpenID Connect client metadata plus the LTI tool
 * configuration claim), post it, and read the client id and deployment id the platform gave.
 */
import { LTI13, LTI13_SERVICES } from '../constants.js';
import { RegistrationError } from './service-errors.js';
import { type ServiceHttpOptions, isObject, parseJsonObject, sendServiceRequest } from './service-http.js';

export { RegistrationError } from './service-errors.js';

const TOOL_CONFIG = LTI13_SERVICES.registration.toolConfigurationClaim;
const PLATFORM_CONFIG = LTI13_SERVICES.registration.platformConfigurationClaim;
const DEFAULT_OPTIONS: ServiceHttpOptions = { timeoutMs: 10_000 };

export interface PlatformConfiguration {
  issuer: string;
  authorizationEndpoint: string;
  tokenEndpoint: string;
  jwksUri: string;
  registrationEndpoint: string;
  /** `authorization_server`: the client assertion's audience when the platform names one. */
  tokenAudience: string | null;
  scopesSupported: string[];
  claimsSupported: string[];
  productFamilyCode: string | null;
  platformVersion: string | null;
  messagesSupported: { type: string; placements: string[] }[];
  variables: string[];
}

function refuse(description: string, status: number | null = null): RegistrationError {
  return new RegistrationError({ kind: 'invalid', status, description, retryable: false });
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

function httpUrl(config: Record<string, unknown>, field: string, status: number): string {
  const value = config[field];
  if (typeof value !== 'string' || value === '') throw refuse(`The platform's configuration has no "${field}".`, status);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw refuse(`The platform's configuration "${field}" is not a URL: "${value}".`, status);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw refuse(`The platform's "${field}" is not an http(s) URL.`, status);
  return value;
}

/**
 * GETs the platform's openid_configuration (with the registration token when the platform gave
 * one) and checks it: the issuer must be on the same host as the configuration URL, or anyone
 * able to start a registration could make the tool trust a platform speaking for another issuer.
 */
export async function fetchOpenIdConfiguration(
  openIdConfigurationUrl: string,
  registrationToken?: string | null,
  options: ServiceHttpOptions = DEFAULT_OPTIONS,
): Promise<PlatformConfiguration> {
  const what = "The platform's OpenID configuration";
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (registrationToken) headers.Authorization = `Bearer ${registrationToken}`;
  const response = await sendServiceRequest({ method: 'GET', url: openIdConfigurationUrl, headers, what }, options, RegistrationError);
  const config = parseJsonObject(response, what, RegistrationError);
  const status = response.status;
  const issuer = httpUrl(config, 'issuer', status);
  const issuerHost = new URL(issuer).host;
  const configHost = new URL(openIdConfigurationUrl).host;
  if (issuerHost !== configHost) {
    throw refuse(
      `The platform's configuration names the issuer "${issuer}" (host ${issuerHost}), but it was fetched from ${configHost}. ` +
        'The issuer must be on the same host as the openid_configuration URL; registration refused.',
      status,
    );
  }
  const authMethods = config.token_endpoint_auth_methods_supported;
  if (Array.isArray(authMethods) && !authMethods.includes('private_key_jwt')) {
    throw refuse("The platform's token endpoint does not accept private_key_jwt client assertions.", status);
  }
  const algs = config.id_token_signing_alg_values_supported;
  if (Array.isArray(algs) && !algs.includes('RS256')) throw refuse('The platform does not sign id_tokens with RS256.', status);
  const platform = isObject(config[PLATFORM_CONFIG]) ? config[PLATFORM_CONFIG] : {};
  const audience = config.authorization_server;
  return {
    issuer,
    authorizationEndpoint: httpUrl(config, 'authorization_endpoint', status),
    tokenEndpoint: httpUrl(config, 'token_endpoint', status),
    jwksUri: httpUrl(config, 'jwks_uri', status),
    registrationEndpoint: httpUrl(config, 'registration_endpoint', status),
    tokenAudience: typeof audience === 'string' && audience !== '' ? audience : null,
    scopesSupported: strings(config.scopes_supported),
    claimsSupported: strings(config.claims_supported),
    productFamilyCode: typeof platform.product_family_code === 'string' ? platform.product_family_code : null,
    platformVersion: typeof platform.version === 'string' ? platform.version : null,
    messagesSupported: Array.isArray(platform.messages_supported)
      ? platform.messages_supported.filter(isObject).flatMap((m) =>
          typeof m.type === 'string' ? [{ type: m.type, placements: strings(m.placements) }] : [],
        )
      : [],
    variables: strings(platform.variables),
  };
}

export type ToolMessageType =
  | typeof LTI13.messageTypes.resourceLink
  | typeof LTI13.messageTypes.deepLinkingRequest
  | typeof LTI13.messageTypes.submissionReview;

export interface ToolMessage {
  type: ToolMessageType;
  /** Defaults to the tool's launch URL (the platform uses target_link_uri). */
  targetLinkUri?: string;
  label?: string;
  placements?: string[];
  /** Deep linking: the content item types offered (ltiResourceLink). */
  supportedTypes?: string[];
  roles?: string[];
}

export interface ToolConfigurationInput {
  /** The tool's public base URL (PUBLIC_URL); the LTI routes are under it. */
  toolUrl: string;
  name: string;
  logoUri?: string;
  scopes: string[];
  /** The id_token claims the tool wants (sub, name, given_name, family_name, email …). */
  claims: string[];
  messages: ToolMessage[];
  /** Custom parameters on every launch, e.g. `$Context.id.history` to recognise copied courses. */
  customParameters?: Record<string, string>;
  description?: string;
}

export interface ToolRegistrationMessage {
  type: ToolMessageType;
  target_link_uri?: string;
  label?: string;
  placements?: string[];
  supported_types?: string[];
  roles?: string[];
}

export interface ToolRegistration {
  application_type: 'web';
  response_types: ['id_token'];
  grant_types: ['implicit', 'client_credentials'];
  initiate_login_uri: string;
  redirect_uris: string[];
  client_name: string;
  jwks_uri: string;
  logo_uri?: string;
  token_endpoint_auth_method: 'private_key_jwt';
  scope: string;
  [TOOL_CONFIG]: {
    domain: string;
    description?: string;
    target_link_uri: string;
    custom_parameters?: Record<string, string>;
    claims: string[];
    messages: ToolRegistrationMessage[];
  };
}

/** `base` + `/lti/<name>`, keeping a path prefix the tool may be served under. */
function toolRoute(base: URL, name: 'login' | 'launch' | 'jwks'): string {
  const url = new URL(base.href);
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/lti/${name}`;
  url.search = '';
  url.hash = '';
  return url.href;
}

/** The registration the tool posts: login at /lti/login, launches (all message types) at /lti/launch, keys at /lti/jwks. */
export function toolConfiguration(input: ToolConfigurationInput): ToolRegistration {
  let base: URL;
  try {
    base = new URL(input.toolUrl);
  } catch {
    throw refuse(`The tool URL "${input.toolUrl}" is not a URL.`);
  }
  const launch = toolRoute(base, 'launch');
  const messages = input.messages.map((m): ToolRegistrationMessage => {
    const out: ToolRegistrationMessage = { type: m.type, target_link_uri: m.targetLinkUri ?? launch };
    if (m.label !== undefined) out.label = m.label;
    if (m.placements !== undefined) out.placements = m.placements;
    if (m.supportedTypes !== undefined) out.supported_types = m.supportedTypes;
    else if (m.type === LTI13.messageTypes.deepLinkingRequest) out.supported_types = [LTI13_SERVICES.deepLinking.resourceLinkType];
    if (m.roles !== undefined) out.roles = m.roles;
    return out;
  });
  const registration: ToolRegistration = {
    application_type: 'web',
    response_types: ['id_token'],
    grant_types: ['implicit', 'client_credentials'],
    initiate_login_uri: toolRoute(base, 'login'),
    redirect_uris: [launch],
    client_name: input.name,
    jwks_uri: toolRoute(base, 'jwks'),
    token_endpoint_auth_method: 'private_key_jwt',
    scope: [...new Set(input.scopes)].join(' '),
    [TOOL_CONFIG]: {
      domain: base.host,
      target_link_uri: launch,
      claims: input.claims,
      messages,
    },
  };
  if (input.logoUri !== undefined) registration.logo_uri = input.logoUri;
  if (input.description !== undefined) registration[TOOL_CONFIG].description = input.description;
  if (input.customParameters !== undefined) registration[TOOL_CONFIG].custom_parameters = input.customParameters;
  return registration;
}

export interface RegistrationAnswer {
  clientId: string;
  /** The deployment the platform made for this registration, when it says. */
  deploymentId: string | null;
  /** The whole answer, for the audit trail. */
  raw: Record<string, unknown>;
}

/** POSTs the registration to the platform's registration endpoint and reads its answer. */
export async function postRegistration(
  registrationEndpoint: string,
  registrationToken: string | null | undefined,
  body: ToolRegistration,
  options: ServiceHttpOptions = DEFAULT_OPTIONS,
): Promise<RegistrationAnswer> {
  const what = "The platform's registration endpoint";
  const headers: Record<string, string> = { 'Content-Type': 'application/json', Accept: 'application/json' };
  if (registrationToken) headers.Authorization = `Bearer ${registrationToken}`;
  const response = await sendServiceRequest(
    { method: 'POST', url: registrationEndpoint, headers, body: JSON.stringify(body), what },
    options,
    RegistrationError,
  );
  const raw = parseJsonObject(response, what, RegistrationError);
  const clientId = raw.client_id;
  if (typeof clientId !== 'string' || clientId === '') {
    throw new RegistrationError({ kind: 'malformed', status: response.status, description: `${what} answered without a client_id.`, retryable: false });
  }
  const toolConfig = raw[TOOL_CONFIG];
  const deploymentId = isObject(toolConfig) && typeof toolConfig.deployment_id === 'string' && toolConfig.deployment_id !== '' ? toolConfig.deployment_id : null;
  return { clientId, deploymentId, raw };
}
