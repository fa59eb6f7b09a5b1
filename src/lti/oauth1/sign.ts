/**
 * Signing with HMAC-SHA1, the only method LTI 1.1 uses. The tool signs when it is the
 * client (LTI Outcomes replaceResult calls back into the LMS, Content-Item returns) and
 * recomputes the same signature when it verifies a launch.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { type OAuthParam, signatureBaseString, urlQueryParameters } from './base-string.js';
import { percentEncode } from './percent-encode.js';

/**
 * RFC 5849 §3.4.2: base64 HMAC-SHA1 of the base string. The key is built from the encoded
 * secrets and the `&` is always present, even with no token secret (two-legged LTI).
 */
export function hmacSha1(baseString: string, consumerSecret: string, tokenSecret = ''): string {
  const key = `${percentEncode(consumerSecret)}&${percentEncode(tokenSecret)}`;
  return createHmac('sha1', key).update(baseString, 'utf8').digest('base64');
}

export interface SignOptions {
  method: string;
  url: string;
  /** Form-body parameters to send (decoded). The query of `url` is read from `url`. */
  params: ReadonlyArray<OAuthParam>;
  consumerKey: string;
  consumerSecret: string;
  /** Fixed only in tests; otherwise 16 random bytes in hex. */
  nonce?: string;
  /** Seconds since the epoch; defaults to now. */
  timestamp?: number;
  /** From bodyHash(), when the body is not a form (LTI Outcomes XML). */
  bodyHash?: string;
  callback?: string;
}

/**
 * Returns `params` plus the oauth_* protocol parameters and `oauth_signature`, ready to send
 * as a form body, or (through authorizationHeader) as a header.
 *
 * The signature covers the query parameters of `url` as well, but they are not added to
 * the result: they travel in the URL, and sending them twice would make the receiver count
 * them twice. Input parameters that share a name with a protocol parameter set here are
 * dropped, so re-signing an already-signed set does not duplicate them.
 */
export function signParameters(options: SignOptions): Array<[string, string]> {
  const oauth: Array<[string, string]> = [
    ['oauth_consumer_key', options.consumerKey],
    ['oauth_nonce', options.nonce ?? randomBytes(16).toString('hex')],
    ['oauth_signature_method', 'HMAC-SHA1'],
    ['oauth_timestamp', String(options.timestamp ?? Math.floor(Date.now() / 1000))],
    ['oauth_version', '1.0'],
  ];
  if (options.bodyHash !== undefined) oauth.push(['oauth_body_hash', options.bodyHash]);
  if (options.callback !== undefined) oauth.push(['oauth_callback', options.callback]);

  const replaced = new Set(oauth.map(([name]) => name).concat('oauth_signature'));
  const kept = options.params.filter(([name]) => !replaced.has(name)).map(([name, value]): [string, string] => [name, value]);
  const signed = [...kept, ...oauth];

  const base = signatureBaseString(options.method, options.url, [...signed, ...urlQueryParameters(options.url)]);
  signed.push(['oauth_signature', hmacSha1(base, options.consumerSecret)]);
  return signed;
}

/** A quoted-string (RFC 7230 §3.2.6): only `"` and `\` need escaping. */
function quote(value: string): string {
  return `"${value.replace(/["\\]/g, (c) => `\\${c}`)}"`;
}

/**
 * RFC 5849 §3.5.1 Authorization header: `OAuth realm="",oauth_x="enc",...`. Only oauth_*
 * parameters go in the header; anything else belongs in the body or query. The realm is
 * not signed and LMSs ignore it, so it defaults to empty, which is what LTI libraries send.
 */
export function authorizationHeader(oauthParams: ReadonlyArray<OAuthParam>, realm = ''): string {
  const parts = [`realm=${quote(realm)}`];
  for (const [name, value] of oauthParams) {
    if (name.startsWith('oauth_')) parts.push(`${percentEncode(name)}="${percentEncode(value)}"`);
  }
  return `OAuth ${parts.join(',')}`;
}
