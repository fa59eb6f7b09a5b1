/**
 * Typed application errors. Every error a user can cause carries a stable `code`; the
 * HTTP layer maps codes to status codes in one place (src/http/error-map.ts), so the
 * commands and protocol code never think about HTTP.
 */
export type ErrorCode =
  | 'bad_request'
  | 'unauthenticated'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'lti_invalid_launch'
  | 'lti_unknown_consumer'
  | 'lti_consumer_disabled'
  | 'lti_bad_signature'
  | 'lti_stale_timestamp'
  | 'lti_replayed_nonce'
  | 'lti13_refused'
  | 'lti13_unknown_platform'
  | 'lti13_platform_disabled'
  | 'lti13_replayed_nonce'
  | 'session_invalid'
  | 'session_expired'
  | 'config_invalid';

/** One field's problem in a submitted form, so the page can show it next to that field. */
export interface FieldProblem {
  field: string;
  message: string;
}

export class AppError extends Error {
  readonly code: ErrorCode;
  /** A message safe to show to the person who made the request. */
  readonly publicMessage: string;
  /** Per-field problems of a refused form, when there are any. */
  readonly problems: FieldProblem[] | undefined;

  constructor(code: ErrorCode, publicMessage: string, options?: { cause?: unknown; problems?: FieldProblem[] }) {
    super(publicMessage, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.publicMessage = publicMessage;
    this.problems = options?.problems;
  }
}

export function isAppError(value: unknown): value is AppError {
  return value instanceof AppError;
}
