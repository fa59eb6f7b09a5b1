/**
 * Sending LTI 1.1 Basic Outcomes requests: OAuth 1.0a signing with `oauth_body_hash`, the
 * POST itself, and the classification of every way it can go wrong, so the passback job can
 * tell "try again later" from "this will never work".
 *
 * The only I/O is the fetch the caller can replace; no database, no clock of its own.
 */
import { boundedFetch, retryableStatus } from '../bounded-fetch.js';
import { MEDIA_TYPES } from '../constants.js';
import { authorizationHeader, bodyHash, signParameters } from '../oauth1/index.js';
import { OutcomeError } from './outcome-errors.js';
import { type OutcomeResponse, OutcomeXmlError, parseOutcomeResponse } from './outcomes-xml.js';

export { OutcomeError, type OutcomeErrorKind, isOutcomeError } from './outcome-errors.js';

export interface SignOutcomeInput {
  url: string;
  consumerKey: string;
  consumerSecret: string;
  /** The exact XML that will be sent: its hash is signed. */
  body: string;
  /** Epoch milliseconds. */
  now: number;
  /** Fixed only in tests; otherwise random. */
  nonce?: string;
}

export interface SignedOutcomeRequest {
  /** The URL as fetch will send it (WHATWG-normalized), query included. */
  url: string;
  headers: Record<string, string>;
}

/**
 * Signs a POX POST. The query parameters of `url` are part of the signature base string
 * (the LMS verifying it adds them, as RFC 5849 requires) but are not repeated in the header.
 * The body is not a form, so the only body parameter signed is `oauth_body_hash`.
 */
export function signOutcomeRequest(input: SignOutcomeInput): SignedOutcomeRequest {
  const url = new URL(input.url).href;
  const oauth = signParameters({
    method: 'POST',
    url,
    params: [],
    consumerKey: input.consumerKey,
    consumerSecret: input.consumerSecret,
    timestamp: Math.floor(input.now / 1000),
    bodyHash: bodyHash(input.body),
    ...(input.nonce === undefined ? {} : { nonce: input.nonce }),
  });
  return {
    url,
    headers: { Authorization: authorizationHeader(oauth), 'Content-Type': MEDIA_TYPES.poxXml },
  };
}

export interface SendOutcomeInput {
  url: string;
  consumerKey: string;
  consumerSecret: string;
  xml: string;
  /** The whole exchange (connect, headers and body) must finish within this. */
  timeoutMs: number;
  /** Epoch milliseconds, for the OAuth timestamp. */
  now: number;
  fetchImpl?: typeof fetch;
  nonce?: string;
}

export interface OutcomeSuccess {
  ok: true;
  status: number;
  response: OutcomeResponse;
}

/** A real answer is a few hundred bytes; an LMS streaming megabytes is not one to keep reading. */
const MAX_RESPONSE_BYTES = 1024 * 1024;

function tryParse(text: string): OutcomeResponse | null {
  try {
    return parseOutcomeResponse(text);
  } catch {
    return null;
  }
}

function httpError(status: number, text: string, location: string | null): OutcomeError {
  const response = tryParse(text);
  let description = `The LMS answered HTTP ${status}`;
  if (response?.description) description += `: ${response.description}`;
  if (status === 401 || status === 403) description += '. Check the consumer key and secret the LMS has for this tool.';
  else if (status >= 300 && status < 400) description += ` (a redirect to ${location ?? 'an unnamed address'}; outcomes are not re-posted after a redirect).`;
  else description += '.';
  return new OutcomeError({ kind: 'http', status, description, retryable: retryableStatus(status), response });
}

function answerError(status: number, text: string, truncated: boolean): OutcomeError | OutcomeResponse {
  if (truncated) {
    // Retryable: a gateway's error page in place of the LMS is the usual cause, and passback is idempotent.
    return new OutcomeError({ kind: 'malformed', status, description: `The LMS answer is larger than ${MAX_RESPONSE_BYTES} bytes.`, retryable: true });
  }
  let response: OutcomeResponse;
  try {
    response = parseOutcomeResponse(text);
  } catch (error) {
    const reason = error instanceof OutcomeXmlError ? error.message : 'The LMS answer could not be read.';
    return new OutcomeError({ kind: 'malformed', status, description: reason, retryable: true }, { cause: error });
  }
  if (response.codeMajor === 'success') return response;
  const description = response.description ?? `The LMS answered imsx_codeMajor "${response.codeMajor}" without a description.`;
  // `processing` means "accepted, not finished": asking again is safe and settles it.
  return new OutcomeError({ kind: 'rejected', status, description, retryable: response.codeMajor === 'processing', response });
}

/**
 * POSTs one signed POX request. Resolves only when the LMS answered HTTP 2xx with
 * imsx_codeMajor `success`; every other end throws OutcomeError.
 */
export async function sendOutcomeRequest(input: SendOutcomeInput): Promise<OutcomeSuccess> {
  let signed: SignedOutcomeRequest;
  try {
    signed = signOutcomeRequest({
      url: input.url,
      consumerKey: input.consumerKey,
      consumerSecret: input.consumerSecret,
      body: input.xml,
      now: input.now,
      ...(input.nonce === undefined ? {} : { nonce: input.nonce }),
    });
  } catch (error) {
    throw new OutcomeError(
      { kind: 'network', status: null, description: `The outcome service URL "${input.url}" is not a valid URL.`, retryable: false },
      { cause: error },
    );
  }
  const { response, text, truncated } = await boundedFetch(
    signed.url,
    // A redirected POST turns into a GET without the body; better to report the redirect.
    { method: 'POST', headers: signed.headers, body: input.xml, redirect: 'manual' },
    { timeoutMs: input.timeoutMs, maxBytes: MAX_RESPONSE_BYTES, ...(input.fetchImpl === undefined ? {} : { fetchImpl: input.fetchImpl }) },
    (failure, cause) =>
      failure.kind === 'timeout'
        ? new OutcomeError({ kind: 'timeout', status: null, description: `The LMS did not answer within ${input.timeoutMs} ms.`, retryable: true }, { cause })
        : new OutcomeError({ kind: 'network', status: null, description: `The LMS could not be reached (${failure.reason}).`, retryable: true }, { cause }),
  );
  const status = response.status;
  const location = response.headers.get('location');
  if (status < 200 || status > 299) throw httpError(status, text, location);
  const answer = answerError(status, text, truncated);
  if (answer instanceof OutcomeError) throw answer;
  return { ok: true, status, response: answer };
}

/** The outcome fields a launch recorded (see the launches table). */
export interface LaunchOutcomeUrls {
  outcome_service_url: string | null;
  ext_outcome_url: string | null;
}

function usableUrl(value: string | null): string | null {
  const text = value?.trim() ?? '';
  if (text === '') return null;
  try {
    const parsed = new URL(text);
    return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? text : null;
  } catch {
    return null;
  }
}

/**
 * Where to send outcomes: the standard `lis_outcome_service_url`, else the Blackboard-style
 * extension (`ext_ims_lis_basic_outcome_url`), else null.
 * A value that is not an http(s) URL counts as absent, so a broken standard URL falls back.
 */
export function outcomeUrlFor(launch: LaunchOutcomeUrls): string | null {
  return usableUrl(launch.outcome_service_url) ?? usableUrl(launch.ext_outcome_url);
}
