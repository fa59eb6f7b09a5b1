import type { Kysely } from 'kysely';
import { AppError } from '../lib/errors.js';
import type { SecretBox } from '../lib/secret-box.js';
import { signParameters } from '../lti/oauth1/index.js';
import { findConsumerByKey } from '../store/repositories/consumers.js';
import type { Database } from '../store/schema.js';
import { DEMO_CONSUMER_KEY } from './ensure-demo-consumer.js';

/** The people of the demo course. Fixed, so repeated launches land on the same users. */
export interface DemoPerson {
  id: string;
  given: string;
  family: string;
}

export const DEMO_INSTRUCTOR: DemoPerson = { id: 'demo-instructor', given: 'Grace', family: 'Hopper' };

export const DEMO_STUDENTS: readonly DemoPerson[] = [
  { id: 'demo-student-1', given: 'Ada', family: 'Lovelace' },
  { id: 'demo-student-2', given: 'Alan', family: 'Turing' },
  { id: 'demo-student-3', given: 'Katherine', family: 'Johnson' },
];

export const DEMO_COURSE = {
  id: 'demo-course',
  title: 'Demo course: Introduction to Numbas',
  label: 'DEMO101',
} as const;

export const DEMO_RESOURCE_LINK = { id: 'demo-exam-1', title: 'Sample exam' } as const;

export type DemoLaunchAs = { as: 'instructor' } | { as: 'student'; studentId: string };

export function fullName(person: DemoPerson): string {
  return `${person.given} ${person.family}`;
}

export function demoPerson(who: DemoLaunchAs): DemoPerson {
  if (who.as === 'instructor') return DEMO_INSTRUCTOR;
  const student = DEMO_STUDENTS.find((s) => s.id === who.studentId);
  if (!student) throw new AppError('bad_request', `There is no demo student "${who.studentId}".`);
  return student;
}

export interface SignDemoLaunchInput {
  /** The tool's launch URL exactly as the browser will post to it: the signature covers it. */
  launchUrl: string;
  /** The demo LMS's own origin, for the outcome service and return URLs. */
  lmsOrigin: string;
  who: DemoLaunchAs;
  /** Milliseconds since the epoch. */
  now: number;
}

/**
 * The form parameters of an LTI 1.1 launch from the demo LMS, signed with the demo
 * consumer's secret, as a real LMS would post them from the browser.
 */
export async function signDemoLaunch(db: Kysely<Database>, box: SecretBox, input: SignDemoLaunchInput): Promise<Array<[string, string]>> {
  const consumer = await findConsumerByKey(db, DEMO_CONSUMER_KEY);
  if (!consumer) throw new AppError('not_found', 'The demo LMS has no consumer: restart the server with DEMO on.');
  const person = demoPerson(input.who);
  const login = person.id;
  const params: Array<[string, string]> = [
    ['lti_version', 'LTI-1p0'],
    ['lti_message_type', 'basic-lti-launch-request'],
    ['resource_link_id', DEMO_RESOURCE_LINK.id],
    ['resource_link_title', DEMO_RESOURCE_LINK.title],
    ['context_id', DEMO_COURSE.id],
    ['context_title', DEMO_COURSE.title],
    ['context_label', DEMO_COURSE.label],
    ['context_type', 'CourseSection'],
    ['user_id', person.id],
    ['roles', input.who.as === 'instructor' ? 'urn:lti:role:ims/lis/Instructor' : 'Learner'],
    ['lis_person_name_given', person.given],
    ['lis_person_name_family', person.family],
    ['lis_person_name_full', fullName(person)],
    ['lis_person_contact_email_primary', `${login}@example.org`],
    ['lis_person_sourcedid', login],
    ['lis_outcome_service_url', `${input.lmsOrigin}/demo/outcomes`],
    ['lis_result_sourcedid', `${DEMO_COURSE.id}:${DEMO_RESOURCE_LINK.id}:${person.id}`],
    ['launch_presentation_document_target', 'iframe'],
    ['launch_presentation_locale', 'en-GB'],
    ['launch_presentation_return_url', `${input.lmsOrigin}/demo/return`],
    ['tool_consumer_info_product_family_code', 'lti-exam-provider-demo'],
    ['tool_consumer_info_version', '1'],
    ['tool_consumer_instance_name', 'Demo LMS'],
  ];
  return signParameters({
    method: 'POST',
    url: input.launchUrl,
    params,
    consumerKey: consumer.key,
    consumerSecret: box.open(consumer.secret_sealed),
    timestamp: Math.floor(input.now / 1000),
  });
}
