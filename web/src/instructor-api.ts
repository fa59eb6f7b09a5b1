/**
 * The instructor API of the resource: settings, access changes, access tokens, the dashboard
 * and the report-scores job. Answers are shape-checked so a malformed one fails loudly; a
 * refused form comes back as a FormRefused with its per-field problems.
 */
import { ApiError, apiFetch, readApiError } from './session.js';
import { isRecord, isNullableString, isNullableNumber, isStringArray, NOT_UNDERSTOOD, UNREACHABLE } from './json-guards.js';

export type GradingMethod = 'highest' | 'last' | 'average';
export type ShowScores = 'always' | 'completed' | 'review' | 'never';
export type ReportTiming = 'immediately' | 'on_completion' | 'manual';

export interface Settings {
  gradingMethod: GradingMethod;
  includeIncomplete: boolean;
  maxAttempts: number;
  showScores: ShowScores;
  reportTiming: ReportTiming;
  reviewFrom: string | null;
  availableFrom: string | null;
  availableUntil: string | null;
  dueAt: string | null;
  emailReceipts: boolean;
}

/** What the settings form sends: maxAttempts as typed, dates as ISO instants or null. */
export type SettingsForm = Omit<Settings, 'maxAttempts'> & { maxAttempts: string };

export interface SettingsAnswer {
  settings: Settings;
  notes: string[];
}

export type DurationMode = 'none' | 'minutes' | 'percent' | 'disable';

export interface AccessChange {
  id: number;
  createdAt: string;
  description: string;
  availableFrom: string | null;
  availableUntil: string | null;
  extendDeadlineMinutes: number | null;
  maxAttempts: number | null;
  duration: { mode: DurationMode; amount?: number };
  targets: Array<{ kind: 'username' | 'email'; value: string }>;
}

export interface AccessChangesAnswer {
  changes: AccessChange[];
  you: { username: string | null; email: string | null };
}

export interface AccessChangeForm {
  description: string;
  targets: string;
  availableFrom: string | null;
  availableUntil: string | null;
  extendDeadlineMinutes: string;
  maxAttempts: string;
  durationMode: DurationMode;
  durationAmount: string;
}

export interface GradeReportState {
  status: string;
  sentScore: number | null;
  sentAt: string | null;
  lastError: string | null;
}

export interface StudentRow {
  userId: number;
  name: string | null;
  username: string | null;
  email: string | null;
  score: number | null;
  attempts: number;
  inProgress: boolean;
  lastAttemptAt: string | null;
  accessTokens: number;
  maxAttempts: number;
  gradeReport: GradeReportState | null;
  /** "Grade in the LMS", scaled 0..1 (older servers send none). */
  lmsScore?: number | null;
}

export interface Dashboard {
  counts: { attempts: number; studentsWithAttempts: number; students: number };
  gradingMethod: GradingMethod;
  reportTiming: ReportTiming;
  students: StudentRow[];
  /** Whether the LMS gradebook could be read (LTI 1.3 with the AGS result scope). */
  lmsGrades?: { available: boolean; reason: string | null };
}

export interface JobInfo {
  id: number;
  kind: string;
  state: 'pending' | 'running' | 'done' | 'failed' | 'cancelled';
  progress: unknown;
  result: unknown;
  lastError: string | null;
}

export interface FieldProblem {
  field: string;
  message: string;
}

/** A form the server refused, with what to fix next to each field. */
export class FormRefused extends ApiError {
  constructor(
    status: number,
    code: string,
    message: string,
    readonly problems: FieldProblem[],
  ) {
    super(status, code, message);
    this.name = 'FormRefused';
  }
}

function isSettings(value: unknown): value is Settings {
  return (
    isRecord(value) &&
    typeof value.gradingMethod === 'string' &&
    typeof value.includeIncomplete === 'boolean' &&
    typeof value.maxAttempts === 'number' &&
    typeof value.showScores === 'string' &&
    typeof value.reportTiming === 'string' &&
    isNullableString(value.reviewFrom) &&
    isNullableString(value.availableFrom) &&
    isNullableString(value.availableUntil) &&
    isNullableString(value.dueAt) &&
    typeof value.emailReceipts === 'boolean'
  );
}

function isSettingsAnswer(value: unknown): value is SettingsAnswer {
  return isRecord(value) && isSettings(value.settings) && isStringArray(value.notes);
}

function isAccessChange(value: unknown): value is AccessChange {
  return (
    isRecord(value) &&
    typeof value.id === 'number' &&
    typeof value.createdAt === 'string' &&
    typeof value.description === 'string' &&
    isNullableString(value.availableFrom) &&
    isNullableString(value.availableUntil) &&
    isNullableNumber(value.extendDeadlineMinutes) &&
    isNullableNumber(value.maxAttempts) &&
    isRecord(value.duration) &&
    typeof value.duration.mode === 'string' &&
    Array.isArray(value.targets) &&
    value.targets.every((t) => isRecord(t) && (t.kind === 'username' || t.kind === 'email') && typeof t.value === 'string')
  );
}

function isAccessChangesAnswer(value: unknown): value is AccessChangesAnswer {
  return (
    isRecord(value) &&
    Array.isArray(value.changes) &&
    value.changes.every(isAccessChange) &&
    isRecord(value.you) &&
    isNullableString(value.you.username ?? null) &&
    isNullableString(value.you.email ?? null)
  );
}

function isStudentRow(value: unknown): value is StudentRow {
  return (
    isRecord(value) &&
    typeof value.userId === 'number' &&
    isNullableString(value.name) &&
    isNullableString(value.username) &&
    isNullableString(value.email) &&
    isNullableNumber(value.score) &&
    typeof value.attempts === 'number' &&
    typeof value.accessTokens === 'number' &&
    (value.gradeReport === null || (isRecord(value.gradeReport) && typeof value.gradeReport.status === 'string'))
  );
}

function isDashboard(value: unknown): value is Dashboard {
  return (
    isRecord(value) &&
    isRecord(value.counts) &&
    typeof value.counts.attempts === 'number' &&
    typeof value.counts.studentsWithAttempts === 'number' &&
    typeof value.counts.students === 'number' &&
    Array.isArray(value.students) &&
    value.students.every(isStudentRow)
  );
}

function isJob(value: unknown): value is JobInfo {
  return isRecord(value) && typeof value.id === 'number' && typeof value.state === 'string' && isNullableString(value.lastError ?? null);
}

async function readProblems(response: Response): Promise<FieldProblem[]> {
  try {
    const body: unknown = await response.json();
    if (!isRecord(body) || !isRecord(body.error) || !Array.isArray(body.error.problems)) return [];
    return body.error.problems.filter((p): p is FieldProblem => isRecord(p) && typeof p.field === 'string' && typeof p.message === 'string');
  } catch {
    return [];
  }
}

async function send(path: string, init: RequestInit): Promise<Response> {
  let response: Response;
  try {
    response = await apiFetch(path, init);
  } catch {
    throw new ApiError(0, 'unreachable', UNREACHABLE);
  }
  if (response.ok) return response;
  const problems = await readProblems(response.clone());
  const error = await readApiError(response);
  throw problems.length > 0 ? new FormRefused(error.status, error.code, error.message, problems) : error;
}

async function requestJson<T>(path: string, init: RequestInit, check: (value: unknown) => value is T): Promise<T> {
  const response = await send(path, init);
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

function jsonBody(method: string, value: unknown): RequestInit {
  return { method, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(value) };
}

export function getSettings(): Promise<SettingsAnswer> {
  return requestJson('/api/resource/settings', {}, isSettingsAnswer);
}

export function saveSettings(form: SettingsForm): Promise<SettingsAnswer> {
  return requestJson('/api/resource/settings', jsonBody('PUT', form), isSettingsAnswer);
}

export function getAccessChanges(): Promise<AccessChangesAnswer> {
  return requestJson('/api/resource/access-changes', {}, isAccessChangesAnswer);
}

export async function createAccessChange(form: AccessChangeForm): Promise<{ notes: string[] }> {
  const answer = await requestJson(
    '/api/resource/access-changes',
    jsonBody('POST', form),
    (value: unknown): value is { change: AccessChange; notes: string[] } => isRecord(value) && isAccessChange(value.change) && isStringArray(value.notes),
  );
  return { notes: answer.notes };
}

export async function deleteAccessChange(id: number): Promise<void> {
  await send(`/api/resource/access-changes/${encodeURIComponent(String(id))}`, { method: 'DELETE' });
}

/** Grants (+1) or revokes (−1) one access token; answers the student's new count. */
export async function changeAccessTokens(userId: number, grant: boolean): Promise<number> {
  const answer = await requestJson(
    `/api/resource/students/${encodeURIComponent(String(userId))}/access-tokens`,
    { method: grant ? 'POST' : 'DELETE' },
    (value: unknown): value is { accessTokens: number } => isRecord(value) && typeof value.accessTokens === 'number',
  );
  return answer.accessTokens;
}

export function getDashboard(): Promise<Dashboard> {
  return requestJson('/api/resource/dashboard', {}, isDashboard);
}

export async function startReportScores(): Promise<number> {
  const answer = await requestJson(
    '/api/resource/report-scores',
    { method: 'POST' },
    (value: unknown): value is { jobId: number } => isRecord(value) && typeof value.jobId === 'number',
  );
  return answer.jobId;
}

export function getJob(id: number): Promise<JobInfo> {
  return requestJson(`/api/resource/jobs/${encodeURIComponent(String(id))}`, {}, isJob);
}
