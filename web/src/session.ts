/**
 * The session token of this tab and the fetch helper for the server's JSON API.
 *
 * An LTI launch answers `303 Location: /app/#token=<token>`. The token is moved from the hash
 * into sessionStorage (one per tab, so two launches in two tabs stay apart) and the hash is
 * removed from the address bar. Requests carry it as `Authorization: Bearer <token>`; no
 * cookie is ever used, since the app runs in an LMS iframe where third-party cookies are
 * blocked. Where the browser refuses storage to the frame too, the token stays in the hash,
 * so that reloading the frame keeps the session.
 */

import { isNullableString, isRecord } from './json-guards.js';

export const SESSION_STORAGE_KEY = 'lti-exam-session';

let memoryToken: string | null = null;

function storage(): Storage | null {
  try {
    return window.sessionStorage;
  } catch {
    return null;
  }
}

/** Stores the token; true when it will survive a reload of this tab. */
function storeToken(token: string): boolean {
  memoryToken = token;
  try {
    const store = storage();
    store?.setItem(SESSION_STORAGE_KEY, token);
    return store?.getItem(SESSION_STORAGE_KEY) === token;
  } catch {
    // Storage denied or full: the in-memory copy serves this page.
    return false;
  }
}

/** Moves `#token=...` from the address into storage and removes the hash, keeping path and query. */
function adoptTokenFromHash(): void {
  const hash = window.location.hash;
  if (hash.length <= 1) return;
  const token = new URLSearchParams(hash.slice(1)).get('token');
  if (token === null) return;
  // A cross-site frame with third-party cookies blocked may be refused storage too: then the
  // fragment (never sent to a server, never in a Referer) is where the token survives a reload.
  if (token !== '' && !storeToken(token)) return;
  const { pathname, search } = window.location;
  window.history.replaceState(window.history.state, '', pathname + search);
}

/** The session token of this tab, or null when the page was not opened from a launch. */
export function readSessionToken(): string | null {
  adoptTokenFromHash();
  let stored: string | null = null;
  try {
    stored = storage()?.getItem(SESSION_STORAGE_KEY) ?? null;
  } catch {
    stored = null;
  }
  return stored ?? memoryToken;
}

/** Forgets the session token of this tab (after the server rejected it). */
export function clearSessionToken(): void {
  memoryToken = null;
  try {
    storage()?.removeItem(SESSION_STORAGE_KEY);
  } catch {
    // Nothing stored.
  }
}

/**
 * `fetch` against the server with this tab's bearer token. Never sends cookies. Rejects
 * (as fetch does) only when the server cannot be reached; HTTP errors are ordinary responses.
 */
export function apiFetch(path: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  const token = readSessionToken();
  if (token !== null) headers.set('Authorization', `Bearer ${token}`);
  if (!headers.has('Accept')) headers.set('Accept', 'application/json');
  return fetch(path, { ...init, headers, credentials: 'omit' });
}

/** An error answer of the API: `{ "error": { "code", "message" } }`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** Reads an error response into an ApiError, with a fallback message when the body is not the API's. */
export async function readApiError(response: Response): Promise<ApiError> {
  let body: unknown = null;
  try {
    body = await response.json();
  } catch {
    body = null;
  }
  if (typeof body === 'object' && body !== null && 'error' in body) {
    const error: unknown = body.error;
    if (typeof error === 'object' && error !== null && 'code' in error && 'message' in error) {
      const { code, message } = error;
      if (typeof code === 'string' && typeof message === 'string') {
        return new ApiError(response.status, code, message);
      }
    }
  }
  return new ApiError(response.status, 'http_error', `The server answered with an error (HTTP ${response.status}).`);
}

/** The answer of `GET /api/session`. */
export interface SessionInfo {
  user: { name: string | null; email: string | null; username: string | null; ltiUserId: string };
  role: 'instructor' | 'student';
  resourceLink: { id: number; title: string | null };
  context: { title: string | null; label: string | null } | null;
  consumer: { key: string };
  expiresAt: string;
  /** What the launch asked for; absent from older servers (then 'resource-link'). */
  message?: 'resource-link' | 'deep-linking' | 'submission-review';
}

/** Checks the shape of a `GET /api/session` answer, so a malformed one fails loudly, not halfway through rendering. */
export function isSessionInfo(value: unknown): value is SessionInfo {
  if (!isRecord(value)) return false;
  const { user, role, resourceLink, context, consumer, expiresAt } = value;
  return (
    isRecord(user) &&
    isNullableString(user.name) &&
    isNullableString(user.email) &&
    isNullableString(user.username) &&
    typeof user.ltiUserId === 'string' &&
    (role === 'instructor' || role === 'student') &&
    isRecord(resourceLink) &&
    typeof resourceLink.id === 'number' &&
    isNullableString(resourceLink.title) &&
    (context === null || (isRecord(context) && isNullableString(context.title) && isNullableString(context.label))) &&
    isRecord(consumer) &&
    typeof consumer.key === 'string' &&
    typeof expiresAt === 'string'
  );
}
