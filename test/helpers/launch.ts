import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../src/package-root.js';
import { buildSamplePackage } from '../../src/scorm/sample-packages.js';
import { formBody, launchParams, registerConsumer, signLaunch, type TestConsumer } from './lti11-consumer.js';
import type { TestApp } from './test-app.js';

const HOST = 'tool.example.edu';

/** A signed LTI 1.1 launch through the real route; returns the session token it issued. */
export async function launchAs(
  t: TestApp,
  consumer: TestConsumer,
  options: { userId: string; role: 'Instructor' | 'Learner'; linkId?: string; name?: string },
): Promise<string> {
  const params = launchParams({
    user_id: options.userId,
    roles: options.role,
    resource_link_id: options.linkId ?? 'exam-link',
    lis_person_name_full: options.name ?? options.userId,
    lis_person_name_given: undefined,
    lis_person_name_family: undefined,
  });
  const res = await t.app.inject({
    method: 'POST',
    url: '/lti/launch',
    headers: { host: HOST, 'content-type': 'application/x-www-form-urlencoded' },
    payload: formBody(signLaunch(consumer, `http://${HOST}/lti/launch`, params)),
  });
  const match = /#token=(.+)$/.exec(String(res.headers.location ?? ''));
  if (res.statusCode !== 303 || !match?.[1]) throw new Error(`launch failed: ${res.statusCode} ${res.body.slice(0, 300)}`);
  return decodeURIComponent(match[1]);
}

export async function newConsumer(t: TestApp, key = 'lms'): Promise<TestConsumer> {
  return registerConsumer(t.store.db, t.config.secretKey, key);
}

/** A public SCORM package from ../shared/fixtures/scorm (never copied into the repository). */
export function fixturePackage(name: string): Buffer {
  return readFileSync(join(packageRoot(), '..', 'shared', 'fixtures', 'scorm', name));
}

/** Multipart body with a "package" file, as the upload form sends it. */
export function multipartUpload(zip: Buffer, fields: Record<string, string> = {}): { body: Buffer; contentType: string } {
  const boundary = `----test${Date.now().toString(16)}`;
  const parts: Buffer[] = [];
  for (const [name, value] of Object.entries(fields)) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`));
  }
  parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="package"; filename="exam.zip"\r\nContent-Type: application/zip\r\n\r\n`));
  parts.push(zip, Buffer.from(`\r\n--${boundary}--\r\n`));
  return { body: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` };
}

export async function uploadAs(t: TestApp, token: string, zip: Buffer, fields: Record<string, string> = {}) {
  const { body, contentType } = multipartUpload(zip, fields);
  return t.app.inject({ method: 'POST', url: '/api/resource/package', headers: { authorization: `Bearer ${token}`, 'content-type': contentType }, payload: body });
}

/** Uploads the sample SCORM 2004 exam as the instructor `token` launched as; returns the resource's id. */
export async function uploadSampleExam(t: TestApp, token: string): Promise<number> {
  const upload = await uploadAs(t, token, await buildSamplePackage('2004'));
  assert.equal(upload.statusCode, 201, upload.body);
  const info = await t.app.inject({ method: 'GET', url: '/api/resource', headers: bearer(token) });
  return (info.json() as { resource: { id: number } }).resource.id;
}

export function bearer(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}
