/**
 * The LTI Advantage calls of the web app: deep linking (choose or create the exam of a new
 * link), the course roster (Names and Role Provisioning) and submission review. Answers are
 * shape-checked so a malformed one fails loudly.
 */
import { ApiError, apiFetch, readApiError, readSessionToken } from './session.js';
import { isRecord, isNullableString, NOT_UNDERSTOOD, UNREACHABLE } from './json-guards.js';

async function getJson<T>(path: string, check: (value: unknown) => value is T): Promise<T> {
  let response: Response;
  try {
    response = await apiFetch(path);
  } catch {
    throw new ApiError(0, 'unreachable', UNREACHABLE);
  }
  if (!response.ok) throw await readApiError(response);
  const body: unknown = await response.json().catch(() => null);
  if (!check(body)) throw new ApiError(response.status, 'bad_answer', NOT_UNDERSTOOD);
  return body;
}

export interface ContextResource {
  id: number;
  title: string | null;
  packageTitle: string | null;
  hasPackage: boolean;
  links: number;
  updatedAt: string;
}

export interface DeepLinkingChoices {
  context: { title: string | null; label: string | null };
  resources: ContextResource[];
}

function isChoices(value: unknown): value is DeepLinkingChoices {
  return (
    isRecord(value) &&
    isRecord(value.context) &&
    Array.isArray(value.resources) &&
    value.resources.every(
      (r) => isRecord(r) && typeof r.id === 'number' && isNullableString(r.title) && isNullableString(r.packageTitle) && typeof r.hasPackage === 'boolean' && typeof r.links === 'number',
    )
  );
}

export function getDeepLinkingChoices(): Promise<DeepLinkingChoices> {
  return getJson('/api/deep-linking', isChoices);
}

function errorOfXhr(xhr: XMLHttpRequest): ApiError {
  let body: unknown = null;
  try {
    body = JSON.parse(xhr.responseText);
  } catch {
    body = null;
  }
  if (isRecord(body) && isRecord(body.error) && typeof body.error.message === 'string') {
    return new ApiError(xhr.status, typeof body.error.code === 'string' ? body.error.code : 'http_error', body.error.message);
  }
  if (xhr.status === 413) return new ApiError(413, 'too_large', 'The package is larger than this server accepts.');
  return new ApiError(xhr.status, 'http_error', `The server answered with an error (HTTP ${xhr.status}).`);
}

/**
 * Uploads a package as a new exam of the course; resolves with its id. By XMLHttpRequest,
 * because fetch reports no upload progress: `onProgress` gets the fraction sent (0 to 1).
 */
export function createDeepLinkResource(file: File, title: string, onProgress: (fraction: number) => void): Promise<number> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', '/api/deep-linking/resources');
    const token = readSessionToken();
    if (token !== null) xhr.setRequestHeader('Authorization', `Bearer ${token}`);
    xhr.setRequestHeader('Accept', 'application/json');
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable && event.total > 0) onProgress(event.loaded / event.total);
    };
    xhr.onload = () => {
      if (xhr.status < 200 || xhr.status >= 300) return reject(errorOfXhr(xhr));
      let body: unknown = null;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        body = null;
      }
      if (!isRecord(body) || !isRecord(body.resource) || typeof body.resource.id !== 'number') return reject(new ApiError(xhr.status, 'bad_answer', NOT_UNDERSTOOD));
      onProgress(1);
      resolve(body.resource.id);
    };
    xhr.onerror = () => reject(new ApiError(0, 'unreachable', 'The upload failed: the server could not be reached.'));
    xhr.onabort = () => reject(new ApiError(0, 'aborted', 'The upload was cancelled.'));
    const form = new FormData();
    // Fields before the file, so that a streaming server reads the title before the package.
    if (title.trim() !== '') form.append('title', title.trim());
    form.append('package', file, file.name);
    xhr.send(form);
  });
}

/**
 * Sends the choice back to the course: a form post (the page's CSP allows forms only to this
 * site) to the server, which answers with the page that carries the signed answer on to the
 * platform. The token rides in the body because a form cannot send an Authorization header.
 */
export function respondWithResource(resourceId: number): void {
  const form = document.createElement('form');
  form.method = 'post';
  form.action = '/api/deep-linking/respond';
  const fields: Record<string, string> = { resourceId: String(resourceId), token: readSessionToken() ?? '' };
  for (const [name, value] of Object.entries(fields)) {
    const input = document.createElement('input');
    input.type = 'hidden';
    input.name = name;
    input.value = value;
    form.appendChild(input);
  }
  document.body.appendChild(form);
  form.submit();
}

export interface RosterMember {
  ltiUserId: string;
  name: string | null;
  email: string | null;
  userId: number | null;
  username: string | null;
  status: string;
  launched: boolean;
}

export type Roster =
  | { available: true; students: RosterMember[]; neverLaunched: RosterMember[] }
  | { available: false; reason: string; students: RosterMember[]; neverLaunched: RosterMember[] };

function isMember(value: unknown): value is RosterMember {
  return isRecord(value) && typeof value.ltiUserId === 'string' && isNullableString(value.name) && isNullableString(value.email) && typeof value.launched === 'boolean';
}

function isRoster(value: unknown): value is Roster {
  return (
    isRecord(value) &&
    typeof value.available === 'boolean' &&
    (value.available || typeof value.reason === 'string') &&
    Array.isArray(value.students) &&
    value.students.every(isMember) &&
    Array.isArray(value.neverLaunched) &&
    value.neverLaunched.every(isMember)
  );
}

export function getRoster(): Promise<Roster> {
  return getJson('/api/resource/roster', isRoster);
}

export interface SubmissionReviewTarget {
  attemptId: number | null;
  student: { userId: number | null; name: string | null };
}

function isReviewTarget(value: unknown): value is SubmissionReviewTarget {
  return isRecord(value) && (value.attemptId === null || typeof value.attemptId === 'number') && isRecord(value.student) && isNullableString(value.student.name);
}

export function getSubmissionReview(): Promise<SubmissionReviewTarget> {
  return getJson('/api/resource/submission-review', isReviewTarget);
}
