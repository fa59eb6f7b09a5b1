/**
 * Checking an incoming OAuth 1.0a signature (an LTI 1.1 launch). Pure: the nonce
 * single-use check needs storage, so the caller records the returned nonce and timestamp.
 */
import { timingSafeEqual } from 'node:crypto';
import { type OAuthParam, baseStringUri, signatureBaseString } from './base-string.js';
import { hmacSha1 } from './sign.js';

export type OAuthFailure =
  | 'missing_parameter'
  | 'unsupported_signature_method'
  | 'unsupported_version'
  | 'bad_timestamp'
  | 'stale_timestamp'
  | 'bad_signature';

export type OAuthCheck =
  | { ok: true; consumerKey: string; nonce: string; timestamp: number }
  | { ok: false; reason: OAuthFailure; message: string };

export interface VerifyOptions {
  method: string;
  /** The absolute URL the LMS posted to, as the LMS saw it (public scheme and host). */
  url: string;
  /** Every parameter of the request: form body, query and Authorization header combined. */
  params: ReadonlyArray<OAuthParam>;
  consumerSecret: string;
  nowSeconds: number;
  /** How far the LMS clock may be from ours, either way. Default 300 s. */
  maxSkewSeconds?: number;
}

const REQUIRED = ['oauth_consumer_key', 'oauth_signature', 'oauth_signature_method', 'oauth_timestamp', 'oauth_nonce'] as const;

const TOKEN_CHAR = /[^\s,="\\]/;

/**
 * Parses `OAuth name="value", ...` into decoded pairs, without `realm` (RFC 5849 §3.4.1.3.1
 * excludes it from the signature). The scheme is case-insensitive. Returns [] for any other
 * scheme and for anything malformed, as a whole: a half-parsed header would only surface
 * later as a baffling signature mismatch. Unquoted values are tolerated because some old
 * consumers send them.
 */
export function parseAuthorizationHeader(header: string | undefined): Array<[string, string]> {
  if (header === undefined) return [];
  const scheme = /^\s*OAuth(?:\s+|$)/i.exec(header);
  if (!scheme) return [];
  const text = header.slice(scheme[0].length);
  const out: Array<[string, string]> = [];
  let i = 0;
  const skipSpace = (): void => {
    while (i < text.length && /\s/.test(text.charAt(i))) i++;
  };
  try {
    while (i < text.length) {
      skipSpace();
      if (text.charAt(i) === ',') {
        i++; // RFC 7230 list syntax allows empty elements.
        continue;
      }
      if (i >= text.length) break;
      const nameStart = i;
      while (i < text.length && TOKEN_CHAR.test(text.charAt(i))) i++;
      const rawName = text.slice(nameStart, i);
      skipSpace();
      if (rawName === '' || text.charAt(i) !== '=') return [];
      i++;
      skipSpace();
      let rawValue = '';
      if (text.charAt(i) === '"') {
        i++;
        for (;;) {
          if (i >= text.length) return []; // unterminated quoted-string
          const c = text.charAt(i++);
          if (c === '"') break;
          if (c === '\\') {
            if (i >= text.length) return [];
            rawValue += text.charAt(i++);
          } else {
            rawValue += c;
          }
        }
      } else {
        const valueStart = i;
        while (i < text.length && TOKEN_CHAR.test(text.charAt(i))) i++;
        rawValue = text.slice(valueStart, i);
      }
      skipSpace();
      if (i < text.length && text.charAt(i) !== ',') return [];
      if (rawName.toLowerCase() === 'realm') continue;
      // Percent-decoding only: in a header `+` is a literal plus, not a space.
      out.push([decodeURIComponent(rawName), decodeURIComponent(rawValue)]);
    }
  } catch {
    return []; // decodeURIComponent on a malformed %-sequence
  }
  return out;
}

function fail(reason: OAuthFailure, message: string): OAuthCheck {
  return { ok: false, reason, message };
}

/** Values of `name`, so a repeated protocol parameter can be refused rather than guessed at. */
function valuesOf(params: ReadonlyArray<OAuthParam>, name: string): string[] {
  return params.filter(([n]) => n === name).map(([, v]) => v);
}

/**
 * Verifies an HMAC-SHA1 signed request. Checks run cheapest first and each failure names
 * what to fix on the LMS side, since the person reading it is usually configuring the LMS.
 */
export function verifySignature(options: VerifyOptions): OAuthCheck {
  const { params } = options;
  const found = new Map<string, string>();
  for (const name of REQUIRED) {
    const values = valuesOf(params, name);
    if (values.length > 1) {
      // Two values means two transmission methods (or a forged extra); which one was signed is unknowable.
      return fail('missing_parameter', `The request carries ${name} ${values.length} times; it must appear exactly once.`);
    }
    const value = values[0];
    if (value === undefined || value === '') {
      return fail('missing_parameter', `The request has no ${name}. Is the LMS sending an OAuth 1.0a signed LTI launch?`);
    }
    found.set(name, value);
  }
  const consumerKey = found.get('oauth_consumer_key') ?? '';
  const signature = found.get('oauth_signature') ?? '';
  const method = found.get('oauth_signature_method') ?? '';
  const timestampText = found.get('oauth_timestamp') ?? '';
  const nonce = found.get('oauth_nonce') ?? '';

  if (method !== 'HMAC-SHA1') {
    return fail('unsupported_signature_method', `The request is signed with ${method}; this tool accepts only HMAC-SHA1.`);
  }

  const versions = valuesOf(params, 'oauth_version');
  if (versions.length > 1) {
    return fail('missing_parameter', `The request carries oauth_version ${versions.length} times; it must appear at most once.`);
  }
  if (versions[0] !== undefined && versions[0] !== '1.0') {
    return fail('unsupported_version', `The request uses OAuth version "${versions[0]}"; this tool accepts only 1.0.`);
  }

  const timestamp = /^\d+$/.test(timestampText) ? Number(timestampText) : Number.NaN;
  if (!Number.isSafeInteger(timestamp)) {
    return fail('bad_timestamp', `oauth_timestamp "${timestampText}" is not a whole number of seconds since 1970.`);
  }
  const maxSkew = options.maxSkewSeconds ?? 300;
  const skew = options.nowSeconds - timestamp;
  if (Math.abs(skew) > maxSkew) {
    const when = skew > 0 ? 'in the past' : 'in the future';
    return fail(
      'stale_timestamp',
      `oauth_timestamp is ${Math.abs(skew)} s ${when} by this server's clock (at most ${maxSkew} s is accepted). ` +
        'Check that the LMS and this server keep the right time, or the request was replayed.',
    );
  }

  let uri: string;
  let expected: string;
  try {
    uri = baseStringUri(options.url);
    expected = hmacSha1(signatureBaseString(options.method, options.url, params), options.consumerSecret);
  } catch {
    // Only a URL that does not parse can throw; the caller built it, but a launch must not crash.
    return fail('bad_signature', `The request URL "${options.url}" could not be parsed, so the signature cannot be checked.`);
  }
  const given = Buffer.from(signature, 'utf8');
  const wanted = Buffer.from(expected, 'utf8');
  // timingSafeEqual needs equal lengths; a length mismatch reveals nothing about the secret.
  if (given.length !== wanted.length || !timingSafeEqual(given, wanted)) {
    return fail(
      'bad_signature',
      `The launch signature does not match for consumer key "${consumerKey}". Check the consumer secret, ` +
        `and that the LMS launches ${uri} exactly (scheme, host, port and path).`,
    );
  }
  return { ok: true, consumerKey, nonce, timestamp };
}
