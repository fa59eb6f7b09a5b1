import type { ErrorCode } from '../lib/errors.js';

/** The one place where error codes become HTTP status codes. */
const STATUS: Record<ErrorCode, number> = {
  bad_request: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  lti_invalid_launch: 400,
  lti_unknown_consumer: 401,
  lti_consumer_disabled: 403,
  lti_bad_signature: 401,
  lti_stale_timestamp: 401,
  lti_replayed_nonce: 409,
  lti13_refused: 400,
  lti13_unknown_platform: 401,
  lti13_platform_disabled: 403,
  lti13_replayed_nonce: 409,
  session_invalid: 401,
  session_expired: 401,
  config_invalid: 500,
};

export function httpStatusFor(code: ErrorCode): number {
  return STATUS[code];
}

/** A title for an error page, by code. */
export function titleFor(code: ErrorCode): string {
  if (code.startsWith('lti_') || code.startsWith('lti13_')) return 'This launch could not be accepted';
  if (code.startsWith('session_') || code === 'unauthenticated') return 'Your session has ended';
  if (code === 'not_found') return 'Page not found';
  if (code === 'forbidden') return 'Not allowed';
  return 'That request could not be completed';
}
