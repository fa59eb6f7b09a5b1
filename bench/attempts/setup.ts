import { randomBytes } from 'node:crypto';
import { signParameters } from '../../src/lti/oauth1/index.js';
import { buildSamplePackage } from '../../src/scorm/sample-packages.js';
import { launchParams } from '../../test/helpers/lti11-consumer.js';
import { multipartUpload } from '../../test/helpers/launch.js';
import type { HttpClient } from '../lib/http-client.js';
import { Student } from './student.js';

export const CONSUMER_KEY = 'bench-attempts';
const LINK = 'bench-exam';

/** How the bench reaches the server it started. */
export interface Target {
  origin: string;
  http: HttpClient;
  consumerSecret: string;
  /** The outcome service the launches name (the bench's LMS), or null for launches that name none. */
  outcomeUrl: string | null;
}

/** Registers the LMS with the CLI, before the server starts (as an administrator would). */
export async function provisionConsumer(cli: (args: string[]) => Promise<string>): Promise<string> {
  const created = JSON.parse(await cli(['consumer', 'add', '--key', CONSUMER_KEY, '--json'])) as { secret?: unknown };
  if (typeof created.secret !== 'string') throw new Error('consumer add --json printed no secret');
  return created.secret;
}

/** A signed LTI 1.1 launch over HTTP, as the LMS posts it; resolves with the session token. */
export async function launch(target: Target, userId: string, role: 'Instructor' | 'Learner'): Promise<string> {
  const url = `${target.origin}/lti/launch`;
  const params = launchParams({
    user_id: userId,
    roles: role,
    resource_link_id: LINK,
    lis_person_name_full: `Student ${userId}`,
    // Undefined drops the parameter: a link that reports no grades.
    lis_outcome_service_url: target.outcomeUrl ?? undefined,
    lis_result_sourcedid: target.outcomeUrl === null ? undefined : `sourcedid-${userId}`,
  });
  const signed = signParameters({ method: 'POST', url, params: Object.entries(params), consumerKey: CONSUMER_KEY, consumerSecret: target.consumerSecret });
  const res = await target.http.send({ method: 'POST', path: '/lti/launch', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(signed).toString() });
  const token = /#token=(.+)$/.exec(String(res.headers.location ?? ''))?.[1];
  if (res.status !== 303 || !token) throw new Error(`launch of ${userId} failed: HTTP ${res.status} ${res.body.slice(0, 200)}`);
  return decodeURIComponent(token);
}

export async function api(target: Target, token: string, method: 'GET' | 'POST', path: string, headers: Record<string, string> = {}, body?: string): Promise<Record<string, unknown>> {
  const res = await target.http.send({ method, path, headers: { authorization: `Bearer ${token}`, ...headers }, ...(body === undefined ? {} : { body }) });
  if (res.status < 200 || res.status >= 300) throw new Error(`${method} ${path}: HTTP ${res.status} ${res.body.slice(0, 200)}`);
  return JSON.parse(res.body) as Record<string, unknown>;
}

/** The instructor's launch and the sample SCORM 2004 exam's upload: students can then start attempts. */
export async function uploadExam(target: Target): Promise<void> {
  const token = await launch(target, 'bench-instructor', 'Instructor');
  const upload = multipartUpload(await buildSamplePackage('2004'));
  // fetch, not the bench's http client: that one sends string bodies as UTF-8, and a zip is binary.
  const res = await fetch(`${target.origin}/api/resource/package`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': upload.contentType },
    body: new Uint8Array(upload.body),
  });
  if (res.status !== 201) throw new Error(`package upload failed: HTTP ${res.status} ${(await res.text()).slice(0, 200)}`);
}

/** Launch, start an attempt and open it: what the player does before its socket opens. */
export async function startStudent(target: Target, index: number, userId = `student-${index}`): Promise<Student> {
  const token = await launch(target, userId, 'Learner');
  const attempt = (await api(target, token, 'POST', '/api/attempts')).attempt as { id: number };
  const opened = await api(target, token, 'GET', `/api/attempts/${attempt.id}/launch`);
  if (typeof opened.sessionId !== 'string') throw new Error(`launch of attempt ${attempt.id} returned no sessionId`);
  return new Student(index, token, attempt.id, opened.sessionId);
}

export interface Cohort {
  students: Student[];
  seconds: number;
  /** Per student: launch, attempt, open and socket ready, in ms (mean and worst). */
  meanMs: number;
  maxMs: number;
}

/** Brings `count` students online, `concurrency` at a time (not timed as part of any phase). */
export async function connectCohort(target: Target, count: number, concurrency: number, log: (line: string) => void): Promise<Cohort> {
  const wsOrigin = target.origin.replace(/^http/, 'ws');
  const students: Student[] = new Array<Student>(count);
  let next = 0;
  let total = 0;
  let worst = 0;
  const started = performance.now();
  const worker = async (): Promise<void> => {
    for (let i = next++; i < count; i = next++) {
      const began = performance.now();
      const student = await startStudent(target, i);
      await student.connect(wsOrigin);
      students[i] = student;
      const ms = performance.now() - began;
      total += ms;
      worst = Math.max(worst, ms);
      if ((i + 1) % 1000 === 0) log(`    ${i + 1} students connected`);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return { students, seconds: (performance.now() - started) / 1000, meanMs: total / count, maxMs: worst };
}

/** A SECRET_KEY for one run: sessions from another run must not validate. */
export function freshSecretKey(): string {
  return randomBytes(32).toString('base64url');
}
