/**
 * LTI 1.3 launch validation (POST /lti/launch with an id_token): an explicit, ordered list of
 * named steps (LAUNCH_STEPS). Each step either passes or throws an `Lti13Error` whose code
 * names the check and whose `step` names the step, so the first fault found is the one
 * reported. Nothing here touches storage: nonces, deployments and registrations are asked of
 * the caller through `deps`.
 */
import { timingSafeEqual } from 'node:crypto';
import { LTI13 } from '../constants.js';
import type { JwksCache } from './jwks-cache.js';
import { type DecodedJwt, decodeJwt, verifyJwtSignature } from './jwt.js';
import { type LoginState, readLoginState } from './login-state.js';
import { type LaunchStep, Lti13Error } from './lti13-error.js';
import { type Lti13MessageClaims, validateMessageClaims } from './message-validators.js';
import type { Lti13Platform } from './platform.js';

export { LAUNCH_STEPS, type LaunchStep } from './lti13-error.js';

export interface LaunchInput {
  idToken: string;
  /** The `state` the platform posted back with the id_token. */
  state: string;
  stateKey: Buffer;
  /**
   * The state the browser kept (cookie or platform storage). When given (even null) it must
   * equal `state`; leave it out only when the caller has bound the launch to the browser
   * some other way.
   */
  browserState?: string | null;
}

export interface LaunchDeps {
  /** Registrations with this issuer whose client id is one of `clientIds`. */
  findPlatforms(issuer: string, clientIds: readonly string[]): Promise<readonly Lti13Platform[]>;
  jwks: Pick<JwksCache, 'key'>;
  /** Records the nonce; false when it was already used. `expiresAt` (epoch ms) is when it may be forgotten. */
  consumeNonce(platformId: number, nonce: string, expiresAt: number): Promise<boolean>;
  knownDeployment(platformId: number, deploymentId: string): Promise<boolean>;
  /** Epoch ms. */
  now: number;
  /** Allowed clock difference with the platform for exp/iat/nbf. Default 60 s. */
  clockSkewSeconds?: number;
}

/** A validated launch, normalized. */
export interface Lti13Message extends Omit<Lti13MessageClaims, 'targetLinkUri'> {
  platform: Lti13Platform;
  deploymentId: string;
  /** The signed target_link_uri, or the login's when the message type does not require it. */
  targetLinkUri: string;
  /** Facts of the id_token itself (the lti1p1 signature covers some of them). */
  token: { iss: string; clientId: string; nonce: string; iat: number; exp: number };
}

const DEFAULT_SKEW_SECONDS = 60;

async function step<T>(name: LaunchStep, run: () => T | Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof Lti13Error && error.step === null) error.step = name;
    throw error;
  }
}

function sameString(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}

function audiences(payload: DecodedJwt['payload']): string[] {
  const aud = payload.aud;
  if (typeof aud === 'string') return aud === '' ? [] : [aud];
  return Array.isArray(aud) ? aud.filter((a): a is string => typeof a === 'string' && a !== '') : [];
}

// ---- the steps ----

function checkState(input: LaunchInput, now: number): LoginState {
  const state = readLoginState(input.stateKey, input.state, now);
  if (input.browserState !== undefined && (typeof input.browserState !== 'string' || !sameString(input.browserState, input.state))) {
    throw new Lti13Error(
      'state_mismatch',
      'The launch state does not match the one this browser started the login with. Please launch again from the course.',
    );
  }
  return state;
}

async function checkPlatform(jwt: DecodedJwt, state: LoginState, deps: LaunchDeps): Promise<Lti13Platform> {
  const iss = jwt.payload.iss;
  if (typeof iss !== 'string' || iss === '') throw new Lti13Error('unknown_platform', 'The id_token has no issuer (iss).');
  const clientIds = audiences(jwt.payload);
  if (clientIds.length === 0) throw new Lti13Error('unknown_platform', 'The id_token has no audience (aud), so it names no client id.');
  const candidates = await deps.findPlatforms(iss, clientIds);
  if (candidates.length === 0) {
    throw new Lti13Error(
      'unknown_platform',
      `No platform is registered with issuer ${iss} and client id ${clientIds.map((c) => `"${c}"`).join(' or ')} (the id_token's aud).`,
    );
  }
  const platform = candidates.find((p) => p.id === state.platformId);
  if (!platform) {
    throw new Lti13Error('platform_mismatch', `The id_token (issuer ${iss}) is not for the platform registration the login was started with.`);
  }
  if (platform.disabled_at !== null) {
    throw new Lti13Error('platform_disabled', `The platform registration for ${iss} is disabled; ask the tool's administrator.`);
  }
  return platform;
}

async function checkSignature(jwt: DecodedJwt, platform: Lti13Platform, deps: LaunchDeps): Promise<void> {
  const { alg, kid } = jwt.header;
  // Refused before any key is fetched: a token must not choose its own verification.
  if (alg !== 'RS256') throw new Lti13Error('jwt_alg', `The id_token is signed with "${alg}"; only RS256 is accepted.`);
  if (typeof kid !== 'string' || kid === '') {
    throw new Lti13Error('jwt_no_kid', 'The id_token header has no "kid", so the platform key cannot be chosen.');
  }
  const jwk = await deps.jwks.key(platform.jwks_url, kid, deps.now);
  verifyJwtSignature(jwt, jwk);
}

function checkAudience(jwt: DecodedJwt, platform: Lti13Platform): void {
  const auds = audiences(jwt.payload);
  if (!auds.includes(platform.client_id)) {
    throw new Lti13Error('aud_mismatch', `The id_token audience (aud) does not include this tool's client id "${platform.client_id}".`);
  }
  const azp = jwt.payload.azp;
  if (azp === undefined || azp === null) {
    if (auds.length > 1) {
      throw new Lti13Error('azp_missing', 'The id_token has several audiences but no authorized party (azp).');
    }
    return;
  }
  if (azp !== platform.client_id) {
    throw new Lti13Error('azp_mismatch', `The id_token authorized party (azp) is not this tool's client id "${platform.client_id}".`);
  }
}

function checkTimes(jwt: DecodedJwt, now: number, skewMs: number): { iat: number; exp: number } {
  const { exp, iat, nbf } = jwt.payload;
  if (typeof exp !== 'number' || !Number.isFinite(exp) || typeof iat !== 'number' || !Number.isFinite(iat)) {
    throw new Lti13Error('token_times_missing', 'The id_token lacks a numeric expiry (exp) or issue time (iat).');
  }
  if (now >= exp * 1000 + skewMs) throw new Lti13Error('token_expired', 'The id_token has expired. Please launch again.');
  if (iat * 1000 - skewMs > now) {
    throw new Lti13Error('token_iat_future', "The id_token was issued in the future: the platform's clock or the token is wrong.");
  }
  if (typeof nbf === 'number' && nbf * 1000 - skewMs > now) {
    throw new Lti13Error('token_not_yet_valid', 'The id_token is not valid yet (nbf).');
  }
  return { iat, exp };
}

async function checkNonce(jwt: DecodedJwt, state: LoginState, platform: Lti13Platform, exp: number, deps: LaunchDeps, skewMs: number): Promise<string> {
  const nonce = jwt.payload.nonce;
  if (typeof nonce !== 'string' || nonce === '') throw new Lti13Error('nonce_missing', 'The id_token has no nonce.');
  if (!sameString(nonce, state.nonce)) {
    throw new Lti13Error('nonce_mismatch', 'The id_token nonce is not the one this login sent to the platform.');
  }
  // Kept until the token could no longer pass the expiry check: after that it is refused anyway.
  if (!(await deps.consumeNonce(platform.id, nonce, exp * 1000 + skewMs))) {
    throw new Lti13Error('nonce_replayed', 'This launch has already been used (nonce replay). Please launch again from the course.');
  }
  return nonce;
}

async function checkDeployment(jwt: DecodedJwt, platform: Lti13Platform, deps: LaunchDeps): Promise<string> {
  const id = jwt.payload[LTI13.claims.deploymentId];
  if (typeof id !== 'string' || id.trim() === '') {
    throw new Lti13Error('deployment_missing', `The launch has no deployment_id claim (${LTI13.claims.deploymentId}).`);
  }
  if (id.length > 255) throw new Lti13Error('bad_claim', 'The deployment id is longer than 255 characters.');
  if (!(await deps.knownDeployment(platform.id, id))) {
    throw new Lti13Error('unknown_deployment', `The deployment "${id}" is not registered for this platform.`);
  }
  return id;
}

function checkVersion(jwt: DecodedJwt): void {
  const version = jwt.payload[LTI13.claims.version];
  if (version === undefined || version === null || version === '') {
    throw new Lti13Error('version_missing', `The launch has no LTI version claim (${LTI13.claims.version}).`);
  }
  if (version !== LTI13.version) {
    throw new Lti13Error('bad_version', `The launch LTI version "${String(version)}" is not ${LTI13.version}.`);
  }
}

/** Runs every step in LAUNCH_STEPS order and returns the normalized message. */
export async function validateLaunch(input: LaunchInput, deps: LaunchDeps): Promise<Lti13Message> {
  const skewMs = (deps.clockSkewSeconds ?? DEFAULT_SKEW_SECONDS) * 1000;
  const state = await step('state', () => checkState(input, deps.now));
  const jwt = await step('jwt_format', () => decodeJwt(input.idToken));
  const platform = await step('platform', () => checkPlatform(jwt, state, deps));
  await step('signature', () => checkSignature(jwt, platform, deps));
  await step('audience', () => checkAudience(jwt, platform));
  const { iat, exp } = await step('times', () => checkTimes(jwt, deps.now, skewMs));
  const nonce = await step('nonce', () => checkNonce(jwt, state, platform, exp, deps, skewMs));
  const deploymentId = await step('deployment', () => checkDeployment(jwt, platform, deps));
  await step('version', () => checkVersion(jwt));
  const claims = await step('message', () => validateMessageClaims(jwt.payload));
  return {
    ...claims,
    platform,
    deploymentId,
    targetLinkUri: claims.targetLinkUri ?? state.targetLinkUri,
    token: { iss: platform.issuer, clientId: platform.client_id, nonce, iat, exp },
  };
}
