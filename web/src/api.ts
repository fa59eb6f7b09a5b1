/**
 * The server's JSON API for the resource, attempts and launches (docs/attempt-protocol.md),
 * with shape checks so that a malformed answer fails loudly, not halfway through rendering.
 */
import type { LaunchRuntime, ScormVersion } from './player/runtime.js';
import { ApiError, apiFetch, readApiError, readSessionToken } from './session.js';
import { isNullableNumber, isNullableString, isRecord, NOT_UNDERSTOOD, UNREACHABLE } from './json-guards.js';

export interface PackageInfo {
  versionId: number;
  title: string | null;
  scormVersion: ScormVersion;
  numbasVersion: string | null;
}

export interface AttemptScore {
  raw: number | null;
  max: number | null;
  scaled: number | null;
}

export interface AttemptSummary {
  id: number;
  startedAt: string;
  endedAt: string | null;
  status: 'incomplete' | 'completed';
  score: AttemptScore | null;
  canContinue: boolean;
  canReview: boolean;
  /** Why the server ended it ('availability_ended'); absent from older servers. */
  endReason?: string | null;
}

/** When the exam can be taken, as this user gets it. */
export interface AvailabilityInfo {
  availableFrom: string | null;
  availableUntil: string | null;
  dueAt: string | null;
  availableNow: boolean;
  ended: boolean;
  /** Why a new attempt cannot be started; null when it can. */
  reason: string | null;
}

export interface ResourceInfo {
  /** Null when the link has no resource yet (nothing set up). */
  resource: { id: number; title: string | null; package: PackageInfo | null } | null;
  role: 'instructor' | 'student';
  attempts: AttemptSummary[];
  canStartNew: boolean;
  availability?: AvailabilityInfo | null;
}

export type LaunchMode = 'normal' | 'review';

export interface LaunchInfo {
  attempt: { id: number; testRun: boolean };
  mode: LaunchMode;
  scormVersion: ScormVersion;
  contentUrl: string;
  sessionId: string;
  values: Record<string, string>;
  runtime: LaunchRuntime;
}

function isScormVersion(value: unknown): value is ScormVersion {
  return value === '2004' || value === '1.2';
}

function isPackage(value: unknown): value is PackageInfo {
  return (
    isRecord(value) &&
    typeof value.versionId === 'number' &&
    (value.title === undefined || isNullableString(value.title)) &&
    isScormVersion(value.scormVersion) &&
    (value.numbasVersion === undefined || isNullableString(value.numbasVersion))
  );
}

function isAttempt(value: unknown): value is AttemptSummary {
  if (!isRecord(value)) return false;
  const { id, startedAt, endedAt, status, score, canContinue, canReview } = value;
  return (
    typeof id === 'number' &&
    typeof startedAt === 'string' &&
    isNullableString(endedAt) &&
    (status === 'incomplete' || status === 'completed') &&
    (score === null ||
      score === undefined ||
      (isRecord(score) && isNullableNumber(score.raw ?? null) && isNullableNumber(score.max ?? null) && isNullableNumber(score.scaled ?? null))) &&
    typeof canContinue === 'boolean' &&
    typeof canReview === 'boolean'
  );
}

function isAvailability(value: unknown): value is AvailabilityInfo {
  return (
    isRecord(value) &&
    isNullableString(value.availableFrom) &&
    isNullableString(value.availableUntil) &&
    isNullableString(value.dueAt) &&
    typeof value.availableNow === 'boolean' &&
    typeof value.ended === 'boolean' &&
    isNullableString(value.reason)
  );
}

/** The resource's current package; null when nothing is set up. */
export function packageOf(info: ResourceInfo): PackageInfo | null {
  return info.resource?.package ?? null;
}

export function isResourceInfo(value: unknown): value is ResourceInfo {
  if (!isRecord(value)) return false;
  const { resource, role, attempts, canStartNew, availability } = value;
  return (
    (resource === null ||
      (isRecord(resource) &&
        typeof resource.id === 'number' &&
        (resource.title === undefined || isNullableString(resource.title)) &&
        (resource.package === null || resource.package === undefined || isPackage(resource.package)))) &&
    (role === 'instructor' || role === 'student') &&
    Array.isArray(attempts) &&
    attempts.every(isAttempt) &&
    typeof canStartNew === 'boolean' &&
    (availability === undefined || availability === null || isAvailability(availability))
  );
}

function isStringMap(value: unknown): value is Record<string, string> {
  return isRecord(value) && Object.values(value).every((v) => typeof v === 'string');
}

export function isLaunchInfo(value: unknown): value is LaunchInfo {
  if (!isRecord(value)) return false;
  const { attempt, mode, scormVersion, contentUrl, sessionId, values, runtime } = value;
  return (
    isRecord(attempt) &&
    typeof attempt.id === 'number' &&
    typeof attempt.testRun === 'boolean' &&
    (mode === 'normal' || mode === 'review') &&
    isScormVersion(scormVersion) &&
    typeof contentUrl === 'string' &&
    typeof sessionId === 'string' &&
    sessionId !== '' &&
    isStringMap(values) &&
    isRecord(runtime) &&
    typeof runtime.entry === 'string' &&
    typeof runtime.learnerId === 'string' &&
    typeof runtime.learnerName === 'string' &&
    typeof runtime.launchData === 'string' &&
    isNullableString(runtime.maxTimeAllowed ?? null) &&
    isStringMap(runtime.numbas ?? {})
  );
}

/** Runs a JSON request; rejects with an ApiError (status 0 when the server could not be reached). */
async function requestJson<T>(path: string, init: RequestInit, check: (value: unknown) => value is T): Promise<T> {
  let response: Response;
  try {
    response = await apiFetch(path, init);
  } catch {
    throw new ApiError(0, 'unreachable', UNREACHABLE);
  }
  if (!response.ok) throw await readApiError(response);
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    body = null;
  }
  if (!check(body)) {
    console.error(`Unexpected answer from ${path}:`, body);
    throw new ApiError(response.status, 'bad_response', NOT_UNDERSTOOD);
  }
  return body;
}

export function getResource(): Promise<ResourceInfo> {
  return requestJson('/api/resource', {}, isResourceInfo);
}

function hasAttemptId(value: unknown): value is { attempt: { id: number } } {
  return isRecord(value) && isRecord(value.attempt) && typeof value.attempt.id === 'number';
}

function normalizeLaunch(launch: LaunchInfo): LaunchInfo {
  return {
    ...launch,
    runtime: { ...launch.runtime, maxTimeAllowed: launch.runtime.maxTimeAllowed ?? null, numbas: launch.runtime.numbas ?? {} },
  };
}

/** `POST /api/attempts` (students): the new attempt's id, to launch. */
export async function startAttempt(): Promise<number> {
  const body = await requestJson('/api/attempts', { method: 'POST' }, hasAttemptId);
  return body.attempt.id;
}

/**
 * `POST /api/test-runs` (instructors). The server answers with the test run's launch itself (a
 * test run is never stored, so there is nothing to fetch later); an answer with only an attempt
 * id is launched like any attempt.
 */
export async function startTestRun(): Promise<LaunchInfo | number> {
  const body = await requestJson(
    '/api/test-runs',
    { method: 'POST' },
    (value: unknown): value is LaunchInfo | { attempt: { id: number } } => isLaunchInfo(value) || hasAttemptId(value),
  );
  if (isLaunchInfo(body)) return normalizeLaunch({ ...body, attempt: { ...body.attempt, testRun: true } });
  return body.attempt.id;
}

export function getLaunch(attemptId: number, mode: LaunchMode): Promise<LaunchInfo> {
  const path = `/api/attempts/${encodeURIComponent(String(attemptId))}/launch?mode=${mode}`;
  return requestJson(path, {}, isLaunchInfo).then(normalizeLaunch);
}

function errorFromXhr(xhr: XMLHttpRequest): ApiError {
  let body: unknown = null;
  try {
    body = JSON.parse(xhr.responseText);
  } catch {
    body = null;
  }
  if (isRecord(body) && isRecord(body.error)) {
    const { code, message } = body.error;
    if (typeof message === 'string') return new ApiError(xhr.status, typeof code === 'string' ? code : 'http_error', message);
  }
  return new ApiError(xhr.status, 'http_error', `The server answered with an error (HTTP ${xhr.status}).`);
}

/**
 * `POST /api/resource/package` as multipart (`package`, and `migrateExisting=true` when asked),
 * by XMLHttpRequest for its upload progress (0 to 1). Rejects with an ApiError.
 */
export function uploadPackage(file: File, migrateExisting: boolean, onProgress: (fraction: number) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', '/api/resource/package');
    const token = readSessionToken();
    if (token !== null) xhr.setRequestHeader('Authorization', `Bearer ${token}`);
    xhr.setRequestHeader('Accept', 'application/json');
    xhr.withCredentials = false;
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable && event.total > 0) onProgress(event.loaded / event.total);
    };
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress(1);
        resolve();
      } else {
        reject(errorFromXhr(xhr));
      }
    };
    xhr.onerror = () => reject(new ApiError(0, 'unreachable', 'The upload failed: the server could not be reached.'));
    xhr.onabort = () => reject(new ApiError(0, 'aborted', 'The upload was cancelled.'));
    const form = new FormData();
    // Fields before the file, so that a streaming server reads the option before the package.
    if (migrateExisting) form.append('migrateExisting', 'true');
    form.append('package', file, file.name);
    xhr.send(form);
  });
}
