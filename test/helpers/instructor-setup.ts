/**
 * For the instructor API suites: launches in a chosen course with a username and email (access
 * changes target them), an exam set up by an instructor, and JSON calls with a session.
 */
import { buildSamplePackage } from '../../src/scorm/sample-packages.js';
import { bearer, uploadAs } from './launch.js';
import { formBody, launchParams, signLaunch, type TestConsumer } from './lti11-consumer.js';
import type { TestApp } from './test-app.js';

const HOST = 'tool.example.edu';

export interface CoursePerson {
  userId: string;
  role: 'Instructor' | 'Learner';
  linkId?: string;
  contextId?: string;
  name?: string;
  /** lis_person_sourcedid; defaults to the user id. */
  username?: string;
  /** defaults to `<userId>@example.org` */
  email?: string;
}

/**
 * A signed launch through the real route, in a chosen course (context) too, timestamped by the
 * app's clock; returns the session token.
 */
export async function launchInCourse(t: TestApp, consumer: TestConsumer, p: CoursePerson): Promise<string> {
  const params = launchParams({
    user_id: p.userId,
    roles: p.role,
    resource_link_id: p.linkId ?? 'exam-link',
    context_id: p.contextId ?? 'course-1',
    lis_person_name_full: p.name ?? `${p.userId} name`,
    lis_person_name_given: undefined,
    lis_person_name_family: undefined,
    lis_person_sourcedid: p.username ?? p.userId,
    lis_person_contact_email_primary: p.email ?? `${p.userId}@example.org`,
    lis_result_sourcedid: `sourcedid-${p.userId}`,
  });
  const res = await t.app.inject({
    method: 'POST',
    url: '/lti/launch',
    headers: { host: HOST, 'content-type': 'application/x-www-form-urlencoded' },
    payload: formBody(signLaunch(consumer, `http://${HOST}/lti/launch`, params, { timestampSeconds: Math.floor(t.app.services.now() / 1000) })),
  });
  const match = /#token=(.+)$/.exec(String(res.headers.location ?? ''));
  if (res.statusCode !== 303 || !match?.[1]) throw new Error(`launch failed: ${res.statusCode} ${res.body.slice(0, 300)}`);
  return decodeURIComponent(match[1]);
}

/** An instructor launch of `linkId` that uploads the sample SCORM 2004 exam; returns the instructor's token. */
export async function setUpExam(t: TestApp, consumer: TestConsumer, options: { linkId?: string; contextId?: string; userId?: string } = {}): Promise<string> {
  const token = await launchInCourse(t, consumer, { userId: options.userId ?? 'teacher', role: 'Instructor', ...options });
  const upload = await uploadAs(t, token, await buildSamplePackage('2004'));
  if (upload.statusCode !== 201) throw new Error(`upload failed: ${upload.statusCode} ${upload.body}`);
  return token;
}

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

/** A JSON API call with a session token. */
export async function api(t: TestApp, token: string, method: Method, url: string, body?: unknown) {
  return t.app.inject({
    method,
    url,
    headers: { ...bearer(token), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
  });
}

/** The users row id of an LMS user id (for URLs that name a student). */
export async function userIdOf(t: TestApp, ltiUserId: string, consumerKey = 'lms'): Promise<number> {
  const row = await t.store.db
    .selectFrom('users')
    .innerJoin('consumers', 'consumers.id', 'users.consumer_id')
    .select('users.id')
    .where('users.lti_user_id', '=', ltiUserId)
    .where('consumers.key', '=', consumerKey)
    .executeTakeFirstOrThrow();
  return row.id;
}

/** Starts an attempt as a student; returns the response (201 with the attempt, or the refusal). */
export function startAttempt(t: TestApp, token: string) {
  return api(t, token, 'POST', '/api/attempts');
}

/** Sends a score out of 3 (and, when `finish`, completes and ends the attempt), as the player does. */
export async function sendScore(t: TestApp, token: string, attemptId: number, raw: number, finish: boolean): Promise<void> {
  const launch = await api(t, token, 'GET', `/api/attempts/${attemptId}/launch`);
  if (launch.statusCode !== 200) throw new Error(`launch of attempt ${attemptId}: ${launch.statusCode} ${launch.body}`);
  const { sessionId } = launch.json() as { sessionId: string };
  const elements = [
    { k: 'cmi.score.raw', v: String(raw) },
    { k: 'cmi.score.max', v: '3' },
    ...(finish ? [{ k: 'cmi.completion_status', v: 'completed' }] : []),
  ];
  const res = await api(t, token, 'POST', `/api/attempts/${attemptId}/batches`, { sessionId, batches: [{ seq: 1, elements, terminate: finish }] });
  if (res.statusCode !== 200 || (res.json() as { acked: number[] }).acked[0] !== 1) throw new Error(`batch of attempt ${attemptId}: ${res.statusCode} ${res.body}`);
}

/** Settings as the form sends them, with defaults for what `changes` leaves out. */
export function settingsForm(changes: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    gradingMethod: 'highest',
    includeIncomplete: true,
    maxAttempts: 0,
    showScores: 'always',
    reportTiming: 'immediately',
    reviewFrom: null,
    availableFrom: null,
    availableUntil: null,
    dueAt: null,
    emailReceipts: false,
    ...changes,
  };
}
