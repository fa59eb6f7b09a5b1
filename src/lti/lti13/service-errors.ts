/**
 * Why a call to an LTI Advantage service (token endpoint, AGS, NRPS, dynamic registration)
 * failed. Kept out of src/lib/errors.ts on purpose: these are answers from (or silence of) a
 * platform, not errors a user's request caused, and the jobs that call these services decide
 * from `retryable` whether to try again later.
 */

export type ServiceErrorKind =
  /** No answer within the time limit (connecting, waiting for headers, or reading the body). */
  | 'timeout'
  /** The connection failed: DNS, refused, reset, TLS, or a URL that cannot be fetched. */
  | 'network'
  /** The platform answered with an HTTP status other than 2xx. */
  | 'http'
  /** HTTP 2xx, but the body is not what the service defines (not JSON, a field missing). */
  | 'malformed'
  /** Refused before sending, or the answer contradicts what was asked (bad input, issuer mismatch). */
  | 'invalid';

export interface ServiceErrorFields {
  kind: ServiceErrorKind;
  /** The HTTP status, when the platform answered. */
  status: number | null;
  /** Plain words for the audit trail and the admin pages. */
  description: string;
  /** True when the same request may succeed later: the platform is down, slow or rate limiting. */
  retryable: boolean;
  /** Seconds from a `Retry-After` header, when the platform sent one. */
  retryAfterSeconds?: number | null;
  /** OAuth `error` code from a token endpoint answer (`invalid_client`, `invalid_scope` …). */
  oauthError?: string | null;
}

export class Lti13ServiceError extends Error {
  readonly kind: ServiceErrorKind;
  readonly status: number | null;
  readonly description: string;
  readonly retryable: boolean;
  readonly retryAfterSeconds: number | null;
  readonly oauthError: string | null;

  constructor(fields: ServiceErrorFields, options?: { cause?: unknown }) {
    super(fields.description, options);
    this.name = 'Lti13ServiceError';
    this.kind = fields.kind;
    this.status = fields.status;
    this.description = fields.description;
    this.retryable = fields.retryable;
    this.retryAfterSeconds = fields.retryAfterSeconds ?? null;
    this.oauthError = fields.oauthError ?? null;
  }
}

/** The platform's token endpoint refused or failed a client_credentials request. */
export class ServiceTokenError extends Lti13ServiceError {
  override readonly name = 'ServiceTokenError';
}

/** An Assignment and Grade Services call (line items, scores, results) failed. */
export class AgsError extends Lti13ServiceError {
  override readonly name = 'AgsError';
}

/** A Names and Role Provisioning Services call failed. */
export class NrpsError extends Lti13ServiceError {
  override readonly name = 'NrpsError';
}

/** Dynamic registration failed: the platform's configuration, or its answer to our registration. */
export class RegistrationError extends Lti13ServiceError {
  override readonly name = 'RegistrationError';
}

/** The constructor each service passes to the shared HTTP code, so its failures carry its own class. */
export type ServiceErrorClass = new (fields: ServiceErrorFields, options?: { cause?: unknown }) => Lti13ServiceError;

export function isLti13ServiceError(value: unknown): value is Lti13ServiceError {
  return value instanceof Lti13ServiceError;
}
