/**
 * Why an LTI 1.1 Basic Outcomes exchange failed. Kept out of src/lib/errors.ts on purpose:
 * these are not errors a user's request caused but answers from (or silence of) an LMS, and
 * the grade passback job decides from `retryable` whether to try again later.
 */
import type { OutcomeResponse } from './outcomes-xml.js';

export type OutcomeXmlErrorCode =
  /** The text is not well-formed XML (an HTML error page, an empty body, a truncated body). */
  | 'not_xml'
  /** A <!DOCTYPE> or <!ENTITY> declaration: never needed in POX, and the vehicle of entity attacks. */
  | 'doctype'
  /** Well-formed XML that is not an imsx_POXEnvelopeResponse with an imsx_codeMajor. */
  | 'not_outcome_response'
  /** A score outside 0..1, or not a number, given to the request builder. */
  | 'bad_score';

export class OutcomeXmlError extends Error {
  readonly code: OutcomeXmlErrorCode;

  constructor(code: OutcomeXmlErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'OutcomeXmlError';
    this.code = code;
  }
}

export type OutcomeErrorKind =
  /** No answer within the time limit (connecting, waiting for headers, or reading the body). */
  | 'timeout'
  /** The connection failed: DNS, refused, reset, TLS, or a URL that cannot be fetched. */
  | 'network'
  /** The LMS answered with an HTTP status other than 2xx. */
  | 'http'
  /** HTTP 2xx, but imsx_codeMajor is not `success`. */
  | 'rejected'
  /** HTTP 2xx, but the body is not a Basic Outcomes response. */
  | 'malformed';

export interface OutcomeErrorFields {
  kind: OutcomeErrorKind;
  status: number | null;
  /** Plain words for the instructor's audit trail; for `rejected`, the LMS's own description. */
  description: string;
  retryable: boolean;
  /** The parsed LMS answer, when there was one that parsed (for `rejected`, and some `http`). */
  response?: OutcomeResponse | null;
}

export class OutcomeError extends Error {
  readonly kind: OutcomeErrorKind;
  readonly status: number | null;
  readonly description: string;
  /** True when the same request may succeed later: the LMS is down, slow or rate limiting. */
  readonly retryable: boolean;
  readonly response: OutcomeResponse | null;

  constructor(fields: OutcomeErrorFields, options?: { cause?: unknown }) {
    super(fields.description, options);
    this.name = 'OutcomeError';
    this.kind = fields.kind;
    this.status = fields.status;
    this.description = fields.description;
    this.retryable = fields.retryable;
    this.response = fields.response ?? null;
  }
}

export function isOutcomeError(value: unknown): value is OutcomeError {
  return value instanceof OutcomeError;
}
