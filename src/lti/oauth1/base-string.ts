/**
 * The signature base string of RFC 5849 §3.4.1: the exact bytes that get HMAC'd. Anything
 * that differs here from what the LMS computed shows up only as "signature does not
 * match", so each step follows the RFC text literally.
 */
import { percentEncode } from './percent-encode.js';

/** A request parameter, already decoded. Arrays of pairs because names may repeat. */
export type OAuthParam = readonly [string, string];

/**
 * RFC 5849 §3.4.1.2 base string URI: scheme and host lowercase, the port only when it is
 * not the scheme's default, the path, and no query or fragment.
 *
 * WHATWG URL does the lowercasing and default-port removal, and turns an empty path into
 * `/`. It also percent-encodes characters that cannot appear raw in a request line, which
 * makes the result match the path the LMS's HTTP client actually sent.
 *
 * Throws a TypeError when `url` is not an absolute URL.
 */
export function baseStringUri(url: string): string {
  const parsed = new URL(url);
  // `host` already omits a default port (80 for http, 443 for https).
  return `${parsed.protocol}//${parsed.host}${parsed.pathname || '/'}`;
}

/**
 * The query parameters of `url`, decoded as application/x-www-form-urlencoded (so `+` is a
 * space), which is how RFC 5849 §3.4.1.3.1 says they enter the signature. Callers use this
 * to add the query to the parameters they verify; order and duplicates are kept.
 */
export function urlQueryParameters(url: string): Array<[string, string]> {
  return [...new URL(url).searchParams];
}

/** Plain code-unit comparison: on percent-encoded (pure ASCII) strings this is byte order. */
function compareAscii(a: string, b: string): number {
  if (a < b) return -1;
  if (a > b) return 1;
  return 0;
}

/**
 * RFC 5849 §3.4.1.3.2 parameter normalization. Sorting happens after encoding, by name and
 * then value, and never with localeCompare, whose order depends on the locale and ignores
 * punctuation. Repeated names are all kept: each occurrence was signed.
 */
export function normalizeParameters(params: ReadonlyArray<OAuthParam>): string {
  return params
    .filter(([name]) => name !== 'oauth_signature')
    .map(([name, value]): [string, string] => [percentEncode(name), percentEncode(value)])
    .sort((a, b) => compareAscii(a[0], b[0]) || compareAscii(a[1], b[1]))
    .map(([name, value]) => `${name}=${value}`)
    .join('&');
}

/**
 * RFC 5849 §3.4.1.1: METHOD & encode(base string URI) & encode(normalized parameters).
 * `params` must already hold every parameter the request carries (query, form body and
 * Authorization header); the query of `url` is not read here, only its scheme, host and
 * path, so a caller that forgets the query gets a mismatch instead of a silent double count.
 */
export function signatureBaseString(method: string, url: string, params: ReadonlyArray<OAuthParam>): string {
  return [method.toUpperCase(), percentEncode(baseStringUri(url)), percentEncode(normalizeParameters(params))].join('&');
}
