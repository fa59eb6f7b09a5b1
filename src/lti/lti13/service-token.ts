/**
 * Access tokens for the LTI Advantage services: the OAuth 2 client_credentials grant with a
 * signed JWT client assertion (RFC 7523, as the 1EdTech security framework requires), and a
 * per-process cache so a burst of score posts asks the platform for one token, not hundreds.
 */
import { randomUUID } from 'node:crypto';
import { LTI13_SERVICES } from '../constants.js';
import { type SigningKey, signJwt } from './jwt.js';
import { Lti13ServiceError, ServiceTokenError } from './service-errors.js';
import { type ServiceHttpOptions, parseJsonObject, sendServiceRequest } from './service-http.js';

/** The platform fields a token request needs; a platforms row fits as it is. */
export interface ServicePlatform {
  id: number;
  client_id: string;
  token_url: string;
  /** The assertion's `aud` when the platform wants something other than its token URL (Brightspace). */
  token_audience: string | null;
}

export interface ServiceToken {
  accessToken: string;
  /** The scopes granted: the platform's `scope` answer, or the scopes asked for when it sent none. */
  scopes: string[];
  /** Epoch milliseconds after which the token is not used any more (the platform's expiry minus a margin). */
  refreshAt: number;
}

/** The assertion is good for a few minutes: long enough for clock skew, short enough to be worthless if logged. */
const ASSERTION_LIFETIME_SECONDS = 300;
/** When the platform does not say how long a token lives, assume it is short rather than reuse a dead one. */
const DEFAULT_TOKEN_LIFETIME_SECONDS = 300;

/** The scopes of a request, deduplicated and sorted, so equal sets share a cache entry. */
export function normalizeScopes(scopes: readonly string[]): string[] {
  return [...new Set(scopes.map((s) => s.trim()).filter((s) => s !== ''))].sort();
}

/** The JWT the tool signs to prove who it is: iss = sub = client_id, aud = the token audience. */
export function clientAssertion(platform: ServicePlatform, key: SigningKey, now: number, jti: string = randomUUID()): string {
  const iat = Math.floor(now / 1000);
  return signJwt(
    {
      iss: platform.client_id,
      sub: platform.client_id,
      aud: platform.token_audience ?? platform.token_url,
      iat,
      exp: iat + ASSERTION_LIFETIME_SECONDS,
      jti,
    },
    key,
    now,
  );
}

/** The form body of the token request (application/x-www-form-urlencoded). */
export function tokenRequestBody(assertion: string, scopes: readonly string[]): string {
  return new URLSearchParams({
    grant_type: 'client_credentials',
    client_assertion_type: LTI13_SERVICES.clientAssertionType,
    client_assertion: assertion,
    scope: normalizeScopes(scopes).join(' '),
  }).toString();
}

export interface TokenOptions extends ServiceHttpOptions {
  /** A token is dropped this long before the platform says it expires (capped at half its life). */
  marginMs?: number;
}

const DEFAULT_MARGIN_MS = 60_000;

/** Asks the platform's token endpoint for a token, with no cache. */
export async function requestServiceToken(
  platform: ServicePlatform,
  scopes: readonly string[],
  key: SigningKey,
  now: number,
  options: TokenOptions,
): Promise<ServiceToken> {
  const wanted = normalizeScopes(scopes);
  if (wanted.length === 0) {
    throw new ServiceTokenError({ kind: 'invalid', status: null, description: 'A service token was asked for with no scope.', retryable: false });
  }
  const what = `The token endpoint of platform ${platform.id} (${platform.token_url})`;
  const response = await sendServiceRequest(
    {
      method: 'POST',
      url: platform.token_url,
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
      body: tokenRequestBody(clientAssertion(platform, key, now), wanted),
      what,
    },
    options,
    ServiceTokenError,
  ).catch((error: unknown) => {
    throw explainTokenFailure(error);
  });
  const answer = parseJsonObject(response, what, ServiceTokenError);
  const accessToken = answer.access_token;
  if (typeof accessToken !== 'string' || accessToken === '') {
    throw new ServiceTokenError({ kind: 'malformed', status: response.status, description: `${what} answered without an access_token.`, retryable: true });
  }
  if (typeof answer.token_type === 'string' && answer.token_type.toLowerCase() !== 'bearer') {
    throw new ServiceTokenError({
      kind: 'malformed',
      status: response.status,
      description: `${what} answered a "${answer.token_type}" token; only Bearer tokens can be used.`,
      retryable: false,
    });
  }
  const lifetimeSeconds =
    typeof answer.expires_in === 'number' && Number.isFinite(answer.expires_in) && answer.expires_in > 0
      ? answer.expires_in
      : typeof answer.expires_in === 'string' && /^\d+$/.test(answer.expires_in)
        ? Number(answer.expires_in)
        : DEFAULT_TOKEN_LIFETIME_SECONDS;
  const lifetimeMs = lifetimeSeconds * 1000;
  const margin = Math.min(options.marginMs ?? DEFAULT_MARGIN_MS, lifetimeMs / 2);
  // An empty or absent `scope` means "what you asked for" (RFC 6749 5.1 makes it optional when equal).
  const answered = typeof answer.scope === 'string' ? normalizeScopes(answer.scope.split(/\s+/)) : [];
  const granted = answered.length > 0 ? answered : wanted;
  return { accessToken, scopes: granted, refreshAt: now + lifetimeMs - margin };
}

/** Adds the usual cause of each refusal, so an admin reading the audit trail knows where to look. */
function explainTokenFailure(error: unknown): unknown {
  if (!(error instanceof ServiceTokenError) || error.kind !== 'http') return error;
  const hint =
    error.oauthError === 'invalid_client' || error.status === 401
      ? ' Check the client id, the token audience, and that the platform has the tool JWKS URL.'
      : error.oauthError === 'invalid_scope'
        ? ' The platform has not granted the tool one of these scopes.'
        : '';
  if (hint === '') return error;
  return new ServiceTokenError(
    {
      kind: error.kind,
      status: error.status,
      description: error.description + hint,
      retryable: error.retryable,
      retryAfterSeconds: error.retryAfterSeconds,
      oauthError: error.oauthError,
    },
    { cause: error.cause },
  );
}

export type ServiceTokenClientOptions = TokenOptions;

/**
 * Caches tokens per (platform, scope set) until their refresh time. Concurrent requests for
 * the same entry share one token request. Only this node's memory: another node asks for its
 * own token, which the platform allows.
 */
export class ServiceTokenClient {
  private readonly options: ServiceTokenClientOptions;
  private readonly cache = new Map<string, ServiceToken>();
  private readonly pending = new Map<string, Promise<ServiceToken>>();

  constructor(options: ServiceTokenClientOptions) {
    this.options = options;
  }

  /** A token for these scopes: the cached one while it is fresh, otherwise a new one. */
  async token(platform: ServicePlatform, scopes: readonly string[], key: SigningKey, now: number): Promise<ServiceToken> {
    const cacheKey = ServiceTokenClient.cacheKey(platform, scopes);
    const cached = this.cache.get(cacheKey);
    if (cached !== undefined && now < cached.refreshAt) return cached;
    const inFlight = this.pending.get(cacheKey);
    if (inFlight !== undefined) return inFlight;
    const request = requestServiceToken(platform, scopes, key, now, this.options)
      .then((token) => {
        this.prune(now);
        this.cache.set(cacheKey, token);
        return token;
      })
      .finally(() => {
        this.pending.delete(cacheKey);
      });
    this.pending.set(cacheKey, request);
    return request;
  }

  /** Forgets a token the platform no longer accepts (a service answered 401). */
  invalidate(platform: ServicePlatform, scopes: readonly string[]): void {
    this.cache.delete(ServiceTokenClient.cacheKey(platform, scopes));
  }

  /** Number of cached tokens (for tests and diagnostics). */
  get size(): number {
    return this.cache.size;
  }

  private prune(now: number): void {
    for (const [k, token] of this.cache) if (token.refreshAt <= now) this.cache.delete(k);
  }

  /** The token URL and client id are part of the key so an edited platform never reuses an old token. */
  private static cacheKey(platform: ServicePlatform, scopes: readonly string[]): string {
    return JSON.stringify([platform.id, platform.client_id, platform.token_url, platform.token_audience, normalizeScopes(scopes)]);
  }
}

/**
 * Runs one service call with a cached token. A 401 means the platform dropped the token before
 * its stated expiry (revoked, or a platform restart): the token is forgotten and the call made
 * once more with a fresh one.
 */
export async function withServiceToken<T>(
  tokens: ServiceTokenClient,
  platform: ServicePlatform,
  scopes: readonly string[],
  key: SigningKey,
  now: number,
  call: (token: ServiceToken) => Promise<T>,
): Promise<T> {
  const first = await tokens.token(platform, scopes, key, now);
  try {
    return await call(first);
  } catch (error) {
    if (!(error instanceof Lti13ServiceError) || error.status !== 401) throw error;
    tokens.invalidate(platform, scopes);
    return call(await tokens.token(platform, scopes, key, now));
  }
}
