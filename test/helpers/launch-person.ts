import { formBody, launchParams, signLaunch, type TestConsumer } from './lti11-consumer.js';
import type { TestApp } from './test-app.js';

const HOST = 'tool.example.edu';

export interface Person {
  userId: string;
  role: 'Instructor' | 'Learner';
  /** What the LMS sends as the username (lis_person_sourcedid): access changes target it. */
  username: string;
  email: string;
  linkId?: string;
}

/**
 * A signed LTI 1.1 launch of a named person (own username and email, which access changes
 * match), timestamped by the app's clock so it stays valid when a test has moved that clock.
 * Returns the session token.
 */
export async function launchPerson(t: TestApp, consumer: TestConsumer, person: Person): Promise<string> {
  const params = launchParams({
    user_id: person.userId,
    roles: person.role,
    resource_link_id: person.linkId ?? 'exam-link',
    lis_person_name_full: person.userId,
    lis_person_name_given: undefined,
    lis_person_name_family: undefined,
    lis_person_sourcedid: person.username,
    lis_person_contact_email_primary: person.email,
  });
  const signed = signLaunch(consumer, `http://${HOST}/lti/launch`, params, { timestampSeconds: Math.floor(t.app.services.now() / 1000) });
  const res = await t.app.inject({
    method: 'POST',
    url: '/lti/launch',
    headers: { host: HOST, 'content-type': 'application/x-www-form-urlencoded' },
    payload: formBody(signed),
  });
  const match = /#token=(.+)$/.exec(String(res.headers.location ?? ''));
  if (res.statusCode !== 303 || !match?.[1]) throw new Error(`launch failed: ${res.statusCode} ${res.body.slice(0, 300)}`);
  return decodeURIComponent(match[1]);
}
