import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { type JWTVerifyGetKey, createRemoteJWKSet, decodeJwt, decodeProtectedHeader, errors, jwtVerify } from 'jose';
import { PlatformRefusal } from './http-kit.js';
import { CLIENT_ASSERTION_TYPE } from './lti-names.js';
import type { PlatformState } from './state.js';

interface IssuedToken {
  /** Names this grant in the records, without putting the bearer token itself there. */
  grantId: string;
  clientId: string;
  scopes: string[];
  expiresAt: number;
}

function oauthError(status: number, code: string, description: string): PlatformRefusal {
  return new PlatformRefusal(status, code, description);
}

/**
 * The OAuth 2 token endpoint (client_credentials with a JWT client assertion, RFC 7523) and
 * the bearer check of every service endpoint. Assertions are verified by jose against the
 * tool's JWKS URL, so the tool's signing is checked by code the tool did not write.
 */
/** How a granted token's client assertion was checked, for the token request record. */
export interface GrantProof {
  grantId: string;
  /** The JWKS URL the assertion was verified against (the client's registered jwks_uri). */
  verifiedWith: string;
  /** The kid of the key that verified it. */
  assertionKid: string | null;
}

export class TokenService {
  private readonly tokens = new Map<string, IssuedToken>();
  private readonly usedJti = new Set<string>();
  private readonly jwksByUrl = new Map<string, JWTVerifyGetKey>();
  private grants = 0;

  constructor(private readonly state: PlatformState) {}

  /** Returns the token response body, or throws a PlatformRefusal whose code is the OAuth error. */
  async grant(fields: Record<string, string>): Promise<{ clientId: string; requested: string[]; body: Record<string, unknown>; proof: GrantProof }> {
    if (fields.grant_type !== 'client_credentials') throw oauthError(400, 'unsupported_grant_type', 'grant_type must be client_credentials.');
    if (fields.client_assertion_type !== CLIENT_ASSERTION_TYPE) {
      throw oauthError(400, 'invalid_request', `client_assertion_type must be ${CLIENT_ASSERTION_TYPE}.`);
    }
    const assertion = fields.client_assertion;
    if (assertion === undefined || assertion === '') throw oauthError(400, 'invalid_request', 'client_assertion is required.');
    const requested = (fields.scope ?? '').split(' ').filter((s) => s !== '');
    if (requested.length === 0) throw oauthError(400, 'invalid_scope', 'scope is required.');

    let claimedIssuer: unknown;
    try {
      claimedIssuer = decodeJwt(assertion).iss;
    } catch {
      throw oauthError(401, 'invalid_client', 'client_assertion is not a JWT.');
    }
    const client = typeof claimedIssuer === 'string' ? this.state.clients.get(claimedIssuer) : undefined;
    if (client === undefined) throw oauthError(401, 'invalid_client', `Unknown client "${String(claimedIssuer)}".`);
    if (fields.client_id !== undefined && fields.client_id !== client.clientId) {
      throw oauthError(401, 'invalid_client', 'client_id does not match the assertion issuer.');
    }
    if (client.toolJwksUrl === null) throw oauthError(401, 'invalid_client', 'No JWKS URL is registered for this client.');

    let payload;
    try {
      ({ payload } = await jwtVerify(assertion, this.jwks(client.toolJwksUrl), {
        algorithms: ['RS256'],
        issuer: client.clientId,
        subject: client.clientId,
        audience: this.state.tokenAudience,
        requiredClaims: ['iat', 'exp', 'jti'],
        currentDate: new Date(this.state.now()),
        clockTolerance: 5,
      }));
    } catch (error) {
      const reason = error instanceof errors.JOSEError ? `${error.code}: ${error.message}` : String(error);
      throw oauthError(401, 'invalid_client', `client_assertion refused (${reason}).`);
    }
    const jtiKey = `${client.clientId} ${String(payload.jti)}`;
    if (this.usedJti.has(jtiKey)) throw oauthError(401, 'invalid_client', 'client_assertion jti was already used.');
    this.usedJti.add(jtiKey);

    const granted = requested.filter((s) => client.allowedScopes.includes(s));
    if (granted.length === 0) throw oauthError(400, 'invalid_scope', 'None of the requested scopes is allowed for this client.');
    const accessToken = randomBytes(24).toString('base64url');
    const grantId = `grant-${++this.grants}`;
    const kid = decodeProtectedHeader(assertion).kid;
    this.tokens.set(accessToken, {
      grantId,
      clientId: client.clientId,
      scopes: granted,
      expiresAt: this.state.now() + this.state.tokenTtlSeconds * 1000,
    });
    return {
      clientId: client.clientId,
      requested,
      body: { access_token: accessToken, token_type: 'Bearer', expires_in: this.state.tokenTtlSeconds, scope: granted.join(' ') },
      proof: { grantId, verifiedWith: client.toolJwksUrl, assertionKid: typeof kid === 'string' ? kid : null },
    };
  }

  /** The client behind a request's bearer token, when it holds one of `scopes`. */
  authorize(req: IncomingMessage, scopes: readonly string[]): string {
    const header = req.headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (match === null) throw new PlatformRefusal(401, 'unauthorized', 'A Bearer access token is required.');
    const token = this.tokens.get(match[1] as string);
    if (token === undefined) throw new PlatformRefusal(401, 'unauthorized', 'Unknown access token.');
    if (token.expiresAt <= this.state.now()) throw new PlatformRefusal(401, 'unauthorized', 'The access token has expired.');
    if (!scopes.some((s) => token.scopes.includes(s))) {
      throw new PlatformRefusal(403, 'insufficient_scope', `The access token lacks the scope ${scopes.join(' or ')}.`);
    }
    return token.clientId;
  }

  /** The client of a bearer token without checks, for records. */
  peekClient(req: IncomingMessage): string | null {
    const match = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
    return match === null ? null : (this.tokens.get(match[1] as string)?.clientId ?? null);
  }

  /** The grant of a request's bearer token (known or not, expired or not), for records. */
  peekGrant(req: IncomingMessage): string | null {
    const match = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
    return match === null ? null : (this.tokens.get(match[1] as string)?.grantId ?? null);
  }

  /** Makes every issued token expire now (to test the tool's refetch on 401). */
  expireAll(): void {
    for (const token of this.tokens.values()) token.expiresAt = this.state.now();
  }

  /** One remote key set per URL, refetched on an unknown kid so a rotated tool key is found. */
  jwks(url: string): JWTVerifyGetKey {
    let set = this.jwksByUrl.get(url);
    if (set === undefined) {
      set = createRemoteJWKSet(new URL(url), { cooldownDuration: 0, timeoutDuration: 5000 });
      this.jwksByUrl.set(url, set);
    }
    return set;
  }
}
