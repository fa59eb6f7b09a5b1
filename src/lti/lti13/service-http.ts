/**
 * The one HTTP exchange every LTI Advantage service client shares: fetch with a timeout over
 * the whole exchange, a bounded body, failures classed as retryable or not, JSON parsing and
 * `Link: <…>; rel="next"` paging. The fetch is replaceable; nothing else is kept.
 */
import { boundedFetch, retryableStatus } from '../bounded-fetch.js';
import type { Lti13ServiceError, ServiceErrorClass } from './service-errors.js';

export { retryableStatus };

export interface ServiceHttpOptions {
  /** The whole exchange (connect, headers and body) must finish within this. */
  timeoutMs: number;
  fetchImpl?: typeof fetch;
}

/** A call to a service with a token already in hand (see ServiceTokenClient). */
export interface ServiceCall extends ServiceHttpOptions {
  accessToken: string;
}

export function bearer(call: ServiceCall): string {
  return `Bearer ${call.accessToken}`;
}

/**
 * `url` with these query parameters set, keeping the ones it already has. A URL that does not
 * parse is returned as it is, for sendServiceRequest to refuse in the service's own words.
 */
export function withQuery(url: string, params: Record<string, string | number | undefined>): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return url;
  }
  for (const [name, value] of Object.entries(params)) if (value !== undefined) parsed.searchParams.set(name, String(value));
  return parsed.href;
}

export interface ServiceRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  url: string;
  headers: Record<string, string>;
  body?: string;
  /** Names the far end in error messages: "The token endpoint", "The platform's line items service". */
  what: string;
}

export interface ServiceResponse {
  status: number;
  headers: Headers;
  text: string;
  /** The URL answered, after redirects of a GET: relative `Link` targets resolve against it. */
  url: string;
}

/** A roster page of a large course is a few megabytes; more than this is not an answer to keep reading. */
export const MAX_SERVICE_RESPONSE_BYTES = 16 * 1024 * 1024;

function retryAfter(headers: Headers): number | null {
  const value = headers.get('retry-after');
  if (value === null || !/^\d{1,6}$/.test(value.trim())) return null;
  return Number(value.trim());
}

/** The platform's own words from an error body: OAuth `error`/`error_description`, or a short text. */
function explainBody(text: string): { oauthError: string | null; detail: string | null } {
  const trimmed = text.trim();
  if (trimmed === '') return { oauthError: null, detail: null };
  try {
    const parsed: unknown = JSON.parse(trimmed);
    if (isObject(parsed)) {
      const error = typeof parsed.error === 'string' ? parsed.error : null;
      const words = [parsed.error_description, parsed.message, parsed.reason].find((v) => typeof v === 'string');
      const detail = [error, typeof words === 'string' ? words : null].filter((v) => v !== null).join(': ');
      return { oauthError: error, detail: detail === '' ? trimmed.slice(0, 300) : detail.slice(0, 300) };
    }
  } catch {
    // Not JSON: an HTML error page or plain text; a short excerpt is enough to tell which.
  }
  return { oauthError: null, detail: trimmed.replace(/\s+/g, ' ').slice(0, 200) };
}

/**
 * Sends one request. Resolves with the answer only for HTTP 2xx; every other end throws an
 * error of `ErrorClass` saying whether trying again later could help.
 */
export async function sendServiceRequest(
  request: ServiceRequest,
  options: ServiceHttpOptions,
  ErrorClass: ServiceErrorClass,
): Promise<ServiceResponse> {
  let url: string;
  try {
    url = new URL(request.url).href;
  } catch (error) {
    throw new ErrorClass(
      { kind: 'invalid', status: null, description: `${request.what}: "${request.url}" is not a valid URL.`, retryable: false },
      { cause: error },
    );
  }
  const { response, ...body } = await boundedFetch(
    url,
    {
      method: request.method,
      headers: request.headers,
      ...(request.body === undefined ? {} : { body: request.body }),
      // A redirected POST turns into a GET without its body; better to report the redirect.
      redirect: request.method === 'GET' ? 'follow' : 'manual',
    },
    { timeoutMs: options.timeoutMs, maxBytes: MAX_SERVICE_RESPONSE_BYTES, ...(options.fetchImpl === undefined ? {} : { fetchImpl: options.fetchImpl }) },
    (failure, cause) =>
      failure.kind === 'timeout'
        ? new ErrorClass({ kind: 'timeout', status: null, description: `${request.what} did not answer within ${options.timeoutMs} ms.`, retryable: true }, { cause })
        : new ErrorClass({ kind: 'network', status: null, description: `${request.what} could not be reached (${failure.reason}).`, retryable: true }, { cause }),
  );
  const status = response.status;
  if (body.truncated) {
    // Retryable: a gateway streaming its own page in place of the platform is the usual cause.
    throw new ErrorClass({
      kind: 'malformed',
      status,
      description: `${request.what} answered more than ${MAX_SERVICE_RESPONSE_BYTES} bytes.`,
      retryable: true,
    });
  }
  if (status < 200 || status > 299) {
    const { oauthError, detail } = explainBody(body.text);
    let description = `${request.what} answered HTTP ${status}`;
    if (status >= 300 && status < 400) {
      description += ` (a redirect to ${response.headers.get('location') ?? 'an unnamed address'}, not followed)`;
    }
    description += detail === null ? '.' : `: ${detail}`;
    throw new ErrorClass({
      kind: 'http',
      status,
      description,
      retryable: retryableStatus(status),
      retryAfterSeconds: retryAfter(response.headers),
      oauthError,
    });
  }
  return { status, headers: response.headers, text: body.text, url: response.url === '' ? url : response.url };
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Parses a 2xx body that must be one JSON object. */
export function parseJsonObject(response: ServiceResponse, what: string, ErrorClass: ServiceErrorClass): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(response.text);
  } catch (error) {
    throw new ErrorClass(
      { kind: 'malformed', status: response.status, description: `${what} answered something that is not JSON.`, retryable: true },
      { cause: error },
    );
  }
  if (!isObject(parsed)) {
    throw new ErrorClass({ kind: 'malformed', status: response.status, description: `${what} answered JSON that is not an object.`, retryable: true });
  }
  return parsed;
}

/** Parses a 2xx body that must be a JSON array (AGS containers are bare arrays). */
export function parseJsonArray(response: ServiceResponse, what: string, ErrorClass: ServiceErrorClass): unknown[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(response.text);
  } catch (error) {
    throw new ErrorClass(
      { kind: 'malformed', status: response.status, description: `${what} answered something that is not JSON.`, retryable: true },
      { cause: error },
    );
  }
  if (!Array.isArray(parsed)) {
    throw new ErrorClass({ kind: 'malformed', status: response.status, description: `${what} answered JSON that is not a list.`, retryable: true });
  }
  return parsed;
}

/**
 * The target of `rel="next"` in a `Link` header (RFC 8288), resolved against the page's URL,
 * or null. A link may carry several relation types (`rel="next last"`), quoted or not.
 */
export function nextLink(header: string | null, baseUrl: string): string | null {
  if (header === null) return null;
  const linkPattern = /<([^>]*)>((?:\s*;\s*[^;,]+)*)/g;
  for (const match of header.matchAll(linkPattern)) {
    const target = match[1] ?? '';
    const params = match[2] ?? '';
    for (const param of params.split(';')) {
      const eq = param.indexOf('=');
      if (eq < 0) continue;
      if (param.slice(0, eq).trim().toLowerCase() !== 'rel') continue;
      const value = param.slice(eq + 1).trim().replace(/^"|"$/g, '');
      if (value.toLowerCase().split(/\s+/).includes('next')) {
        try {
          return new URL(target, baseUrl).href;
        } catch {
          return null;
        }
      }
    }
  }
  return null;
}

function normalized(url: string): string {
  try {
    return new URL(url).href;
  } catch {
    return url; // sendServiceRequest reports the bad URL in the service's own words.
  }
}

/** Pages are followed until there is no next link; a platform that loops or never ends is stopped. */
export const MAX_PAGES = 1000;

/**
 * Fetches `firstUrl` and every `rel="next"` page after it, handing each answer to `onPage`.
 * A next link seen before, or more than MAX_PAGES pages, ends in an error rather than a loop.
 */
export async function forEachPage(
  firstUrl: string,
  fetchPage: (url: string) => Promise<ServiceResponse>,
  onPage: (response: ServiceResponse) => void,
  makeError: (description: string) => Lti13ServiceError,
): Promise<void> {
  const seen = new Set<string>();
  let url: string | null = normalized(firstUrl);
  while (url !== null) {
    if (seen.has(url)) throw makeError(`The next-page link points back to a page already read (${url}).`);
    if (seen.size >= MAX_PAGES) throw makeError(`More than ${MAX_PAGES} pages; stopped reading.`);
    seen.add(url);
    const response = await fetchPage(url);
    onPage(response);
    url = nextLink(response.headers.get('link'), response.url);
  }
}
