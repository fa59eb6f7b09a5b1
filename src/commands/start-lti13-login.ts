import type { Kysely } from 'kysely';
import { AppError } from '../lib/errors.js';
import { issueLoginState, newLoginNonce } from '../lti/lti13/login-state.js';
import { Lti13Error } from '../lti/lti13/lti13-error.js';
import { authenticationRedirect, type LoginParams, type LoginRequest, parseLoginRequest, pickLoginPlatform } from '../lti/lti13/oidc-login.js';
import { findPlatformsOfIssuer } from '../store/repositories/lti13-launch-records.js';
import type { Database } from '../store/schema.js';
import type { PlatformRow } from '../store/tables/platforms.js';

export interface StartedLogin {
  platform: PlatformRow;
  login: LoginRequest;
  /** The signed login state (what the browser keeps). */
  signedState: string;
  nonce: string;
}

/**
 * Answers an OIDC login initiation: finds the platform registration it is for (issuer and
 * client_id, or the lone registration of the issuer), refuses unknown and disabled ones, and
 * issues a signed, short-lived state naming the platform, a fresh nonce and the target link.
 * Nothing is stored: any node can check the state when the launch comes back.
 */
export async function startLti13Login(
  db: Kysely<Database>,
  params: LoginParams,
  stateKey: Buffer,
  ttlSeconds: number,
  now: number,
): Promise<StartedLogin> {
  let login: LoginRequest;
  let platform: PlatformRow | null;
  try {
    login = parseLoginRequest(params);
    platform = pickLoginPlatform(await findPlatformsOfIssuer(db, login.iss), login);
  } catch (error) {
    if (error instanceof Lti13Error) throw new AppError('lti13_refused', error.message, { cause: error });
    throw error;
  }
  if (platform === null) {
    const client = login.clientId === null ? '' : ` and client id "${login.clientId}"`;
    throw new AppError(
      'lti13_unknown_platform',
      `No LTI 1.3 platform is registered with the issuer "${login.iss}"${client}. Ask the tool's administrator to register it.`,
    );
  }
  if (platform.disabled_at !== null) {
    throw new AppError('lti13_platform_disabled', `The platform "${platform.name ?? platform.issuer}" has been disabled by the tool's administrator.`);
  }
  const nonce = newLoginNonce();
  const signedState = issueLoginState(stateKey, { platformId: platform.id, nonce, targetLinkUri: login.targetLinkUri }, now, ttlSeconds);
  return { platform, login, signedState, nonce };
}

/** The platform's authorization URL for a started login. */
export function authorizationUrl(started: StartedLogin, state: string, redirectUri: string): string {
  return authenticationRedirect(started.platform, started.login, { state, nonce: started.nonce, redirectUri });
}
