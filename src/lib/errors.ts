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
  | 'session_invalid'
  | 'session_expired'
  | 'config_invalid';

export class AppError extends Error {
  readonly code: ErrorCode;
  /** A message safe to show to the person who made the request. */
  readonly publicMessage: string;

  constructor(code: ErrorCode, publicMessage: string, options?: { cause?: unknown }) {
    super(publicMessage, options);
    this.name = 'AppError';
    this.code = code;
    this.publicMessage = publicMessage;
  }
}

export function isAppError(value: unknown): value is AppError {
  return value instanceof AppError;
}
