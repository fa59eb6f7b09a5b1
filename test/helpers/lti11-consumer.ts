import { createHmac } from 'node:crypto';
import OAuth from 'oauth-1.0a';
import type { Kysely } from 'kysely';
import { createConsumer } from '../../src/commands/create-consumer.js';
import { deriveKey } from '../../src/lib/keys.js';
import { createSecretBox } from '../../src/lib/secret-box.js';
import type { Database } from '../../src/store/schema.js';

/**
 * A test LMS that signs LTI 1.1 launches with the `oauth-1.0a` npm library, an OAuth
 * implementation this project did not write, so the server's verifier is checked against
 * an independent signer rather than against itself.
 */
export interface TestConsumer {
  key: string;
  secret: string;
}

export async function registerConsumer(db: Kysely<Database>, secretKey: string, key: string): Promise<TestConsumer> {
  const box = createSecretBox(deriveKey(secretKey, 'secret-box'));
  const created = await createConsumer(db, box, { key }, Date.now());
  return { key: created.key, secret: created.secret };
}

export function signLaunch(
  consumer: TestConsumer,
  url: string,
  params: Record<string, string>,
  options: { timestampSeconds?: number } = {},
): Record<string, string> {
  const oauth = new OAuth({
    consumer: { key: consumer.key, secret: consumer.secret },
    signature_method: 'HMAC-SHA1',
    hash_function: (base, key) => createHmac('sha1', key).update(base).digest('base64'),
  });
  if (options.timestampSeconds !== undefined) {
    const fixed = options.timestampSeconds;
    oauth.getTimeStamp = () => fixed;
  }
  // The library merges the URL's query into `data` in place: hand it a copy.
  const authorization = oauth.authorize({ url, method: 'POST', data: { ...params } });
  const out: Record<string, string> = { ...params };
  // …and returns the merged set too: keep only its oauth_* parameters.
  for (const [name, value] of Object.entries(authorization)) if (name.startsWith('oauth_')) out[name] = String(value);
  return out;
}

export function formBody(params: Record<string, string>): string {
  return new URLSearchParams(params).toString();
}

/** A full, realistic launch as an LMS would send it. */
export function launchParams(overrides: Record<string, string | undefined> = {}): Record<string, string> {
  const base: Record<string, string | undefined> = {
    lti_version: 'LTI-1p0',
    lti_message_type: 'basic-lti-launch-request',
    resource_link_id: 'link-1',
    resource_link_title: 'Week 1 exam',
    user_id: 'user-1',
    roles: 'Learner',
    lis_person_name_given: 'Ada',
    lis_person_name_family: 'Lovelace',
    lis_person_name_full: 'Ada Lovelace',
    lis_person_contact_email_primary: 'ada@example.org',
    lis_person_sourcedid: 'ada.lovelace',
    context_id: 'course-1',
    context_title: 'Analysis 101',
    context_label: 'AN101',
    lis_outcome_service_url: 'https://lms.example.org/outcomes',
    lis_result_sourcedid: 'sourcedid-1',
    launch_presentation_locale: 'en-GB',
    ...overrides,
  };
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(base)) if (v !== undefined) out[k] = v;
  return out;
}
