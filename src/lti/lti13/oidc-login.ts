/**
 * Step one of an LTI 1.3 launch: the platform's third-party login initiation (GET or POST to
 * /lti/login) and the OpenID Connect authentication request the tool answers it with.
 * Nothing here is trusted yet: the login request is unsigned, so it only chooses where to send
 * the browser; everything that matters is checked later in the signed id_token.
 */
import { LTI13 } from '../constants.js';
import { Lti13Error } from './lti13-error.js';
import type { Lti13Platform } from './platform.js';

export interface LoginRequest {
  iss: string;
  loginHint: string;
  targetLinkUri: string;
  ltiMessageHint: string | null;
  clientId: string | null;
  deploymentId: string | null;
  /** The frame to talk to for LTI platform storage (postMessage), when the platform offers it. */
  storageTarget: string | null;
}

/** Form body or query string, as a web framework hands them over (repeated names as arrays). */
export type LoginParams = Readonly<Record<string, unknown>> | URLSearchParams;

function single(params: LoginParams, name: string): string | null {
  let value: unknown;
  if (params instanceof URLSearchParams) {
    const all = params.getAll(name);
    value = all.length > 1 ? all : all[0];
  } else {
    value = params[name];
  }
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') {
    throw new Lti13Error('login_bad_param', `The login request carries "${name}" more than once or not as text.`);
  }
  const trimmed = value.trim();
  return trimmed === '' ? null : trimmed;
}

function required(params: LoginParams, name: string): string {
  const value = single(params, name);
  if (value === null) throw new Lti13Error('login_missing_param', `The login request has no "${name}".`);
  return value;
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}

/** Reads a login initiation. Throws `login_missing_param` or `login_bad_param`. */
export function parseLoginRequest(params: LoginParams): LoginRequest {
  const iss = required(params, 'iss');
  const loginHint = required(params, 'login_hint');
  const targetLinkUri = required(params, 'target_link_uri');
  if (!isHttpUrl(targetLinkUri)) {
    throw new Lti13Error('login_bad_param', `The login request's target_link_uri "${targetLinkUri}" is not an http(s) URL.`);
  }
  return {
    iss,
    loginHint,
    targetLinkUri,
    ltiMessageHint: single(params, 'lti_message_hint'),
    clientId: single(params, 'client_id'),
    deploymentId: single(params, 'lti_deployment_id'),
    storageTarget: single(params, 'lti_storage_target'),
  };
}

/**
 * The registration a login is for, among those registered with its issuer. Several platforms
 * may share an issuer (one per client id); the login's client_id then decides, and without one
 * only a lone registration can be chosen. Returns null when none fits.
 */
export function pickLoginPlatform<P extends Lti13Platform>(platforms: readonly P[], login: LoginRequest): P | null {
  const sameIssuer = platforms.filter((p) => p.issuer === login.iss);
  if (login.clientId !== null) return sameIssuer.find((p) => p.client_id === login.clientId) ?? null;
  if (sameIssuer.length > 1) {
    throw new Lti13Error(
      'login_ambiguous_platform',
      `Several registrations share the issuer ${login.iss} and the login request names no client_id.`,
    );
  }
  return sameIssuer[0] ?? null;
}

export interface AuthenticationOptions {
  state: string;
  nonce: string;
  /** The tool's launch URL (POST /lti/launch), registered with the platform. */
  redirectUri: string;
}

/** The URL of the platform's authorization endpoint to send the browser to (response_mode form_post). */
export function authenticationRedirect(platform: Lti13Platform, login: LoginRequest, options: AuthenticationOptions): string {
  if (login.iss !== platform.issuer || (login.clientId !== null && login.clientId !== platform.client_id)) {
    // A caller bug, not a user fault: the login must have been matched to this platform.
    throw new Lti13Error('login_bad_param', 'The login request does not belong to the chosen platform registration.');
  }
  const url = new URL(platform.auth_login_url);
  const query: Array<[string, string]> = [
    ['scope', LTI13.authRequest.scope],
    ['response_type', LTI13.authRequest.responseType],
    ['response_mode', LTI13.authRequest.responseMode],
    ['prompt', LTI13.authRequest.prompt],
    ['client_id', platform.client_id],
    ['redirect_uri', options.redirectUri],
    ['login_hint', login.loginHint],
    ['state', options.state],
    ['nonce', options.nonce],
  ];
  if (login.ltiMessageHint !== null) query.push(['lti_message_hint', login.ltiMessageHint]);
  for (const [name, value] of query) url.searchParams.set(name, value);
  return url.toString();
}
