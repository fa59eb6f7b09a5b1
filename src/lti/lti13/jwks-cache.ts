/**
 * The platforms' public keys, fetched from their JWKS URLs and kept in memory. A launch whose
 * `kid` is not known refetches the set (the platform rotated its keys), but at most once per
 * `minRefetchMs` per URL, so a flood of tokens with made-up kids cannot make us hammer the
 * platform. Keys are also refreshed after `maxAgeMs`, so a key the platform withdrew stops
 * being trusted; if that refresh fails the keys already held keep working.
 *
 * Each node keeps its own cache: it only mirrors what the platform publishes.
 */
import type { PublicJwk } from './jwt.js';
import { Lti13Error } from './lti13-error.js';

export interface JwksCacheOptions {
  fetchImpl?: typeof fetch;
  /** The whole fetch (connect, headers and body) must finish within this. */
  timeoutMs: number;
  /** The least time between two fetches of one URL, whatever the kids asked for. */
  minRefetchMs: number;
  /** Keys older than this are fetched again before use. Default one hour. */
  maxAgeMs?: number;
}

interface Entry {
  keys: Map<string, PublicJwk>;
  /** When keys were last fetched successfully (epoch ms); -Infinity before the first success. */
  fetchedAt: number;
  /** When a fetch was last tried, successful or not. */
  triedAt: number;
  lastError: Lti13Error | null;
  pending: Promise<void> | null;
}

/** A key set is a few KB; a body far larger is not one. */
const MAX_JWKS_BYTES = 512 * 1024;
const DEFAULT_MAX_AGE_MS = 60 * 60 * 1000;

function usableKeys(body: unknown): Map<string, PublicJwk> {
  const keys = new Map<string, PublicJwk>();
  const list = typeof body === 'object' && body !== null ? (body as { keys?: unknown }).keys : undefined;
  if (!Array.isArray(list)) throw new Error('the answer has no "keys" array');
  for (const item of list) {
    if (typeof item !== 'object' || item === null) continue;
    const jwk = item as PublicJwk;
    // Only RSA signing keys with a kid can ever verify an id_token here.
    if (jwk.kty !== 'RSA' || typeof jwk.kid !== 'string' || jwk.kid === '') continue;
    if (jwk.use !== undefined && jwk.use !== 'sig') continue;
    if (!keys.has(jwk.kid)) keys.set(jwk.kid, Object.freeze({ ...jwk }));
  }
  return keys;
}

async function readLimited(response: Response): Promise<string> {
  const declared = Number(response.headers.get('content-length') ?? '0');
  if (declared > MAX_JWKS_BYTES) throw new Error(`the answer is ${declared} bytes`);
  const text = await response.text();
  if (text.length > MAX_JWKS_BYTES) throw new Error(`the answer is ${text.length} bytes`);
  return text;
}

export class JwksCache {
  private readonly fetchImpl: typeof fetch;
  private readonly timeoutMs: number;
  private readonly minRefetchMs: number;
  private readonly maxAgeMs: number;
  private readonly entries = new Map<string, Entry>();

  constructor(options: JwksCacheOptions) {
    this.fetchImpl = options.fetchImpl ?? fetch;
    this.timeoutMs = options.timeoutMs;
    this.minRefetchMs = options.minRefetchMs;
    this.maxAgeMs = options.maxAgeMs ?? DEFAULT_MAX_AGE_MS;
  }

  /**
   * The key `kid` published at `jwksUrl`. Throws `jwt_unknown_kid` when the set (refetched
   * if allowed) has no such key, `jwks_fetch` when the set could never be fetched.
   */
  async key(jwksUrl: string, kid: string, now: number): Promise<PublicJwk> {
    const entry = this.entry(jwksUrl);
    const stale = now - entry.fetchedAt >= this.maxAgeMs;
    const known = entry.keys.get(kid);
    if (known && !stale) return known;

    if (now - entry.triedAt >= this.minRefetchMs || entry.pending) {
      await this.refresh(jwksUrl, entry, now);
    }
    const found = entry.keys.get(kid);
    if (found) return found;
    if (entry.fetchedAt === -Infinity && entry.lastError) throw entry.lastError;
    throw new Lti13Error(
      'jwt_unknown_kid',
      `The id_token names key "${kid}", which the platform does not publish at ${jwksUrl}.`,
    );
  }

  private entry(url: string): Entry {
    let entry = this.entries.get(url);
    if (!entry) {
      entry = { keys: new Map(), fetchedAt: -Infinity, triedAt: -Infinity, lastError: null, pending: null };
      this.entries.set(url, entry);
    }
    return entry;
  }

  /** One fetch per URL at a time: concurrent launches wait for the same answer. */
  private refresh(url: string, entry: Entry, now: number): Promise<void> {
    if (!entry.pending) {
      entry.triedAt = now;
      entry.pending = this.fetchKeys(url)
        .then((keys) => {
          entry.keys = keys;
          entry.fetchedAt = now;
          entry.lastError = null;
        })
        .catch((error: unknown) => {
          // Keys already held stay in use: a platform briefly down should not stop launches.
          entry.lastError =
            error instanceof Lti13Error ? error : new Lti13Error('jwks_fetch', `The platform keys at ${url} could not be fetched.`);
        })
        .finally(() => {
          entry.pending = null;
        });
    }
    return entry.pending;
  }

  private async fetchKeys(url: string): Promise<Map<string, PublicJwk>> {
    let response: Response;
    try {
      response = await this.fetchImpl(url, {
        headers: { Accept: 'application/json' },
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (cause) {
      throw new Lti13Error('jwks_fetch', `The platform keys at ${url} could not be fetched (no answer).`, { cause });
    }
    if (!response.ok) {
      await response.body?.cancel().catch(() => undefined);
      throw new Lti13Error('jwks_fetch', `The platform keys at ${url} could not be fetched (HTTP ${response.status}).`);
    }
    try {
      return usableKeys(JSON.parse(await readLimited(response)));
    } catch (cause) {
      const why = cause instanceof Error ? cause.message : 'unreadable answer';
      throw new Lti13Error('jwks_fetch', `The platform keys at ${url} are not a JSON Web Key Set (${why}).`, { cause });
    }
  }
}
