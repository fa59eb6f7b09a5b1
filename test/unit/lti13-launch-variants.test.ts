import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isInstructor } from '../../src/lti/roles.js';
import { type Lti13Message, validateLaunch } from '../../src/lti/lti13/launch-pipeline.js';
import { C, CLIENT, ISS, type LaunchOptions, NOW_S, PLATFORM, harness, launchInput } from '../helpers/lti13-launch-fixtures.js';

async function accepted(launch: LaunchOptions): Promise<Lti13Message> {
  return validateLaunch(launchInput(launch), harness().deps);
}

const INSTRUCTOR_ROLES = ['Instructor', 'Administrator', 'ContentDeveloper', 'Manager', 'TeachingAssistant'];

describe('LTI 1.3 launch pipeline: valid variants', () => {
  it('normalizes a full resource link launch', async () => {
    const m = await accepted({});
    assert.equal(m.platform, PLATFORM);
    assert.equal(m.deploymentId, 'deployment-1');
    assert.equal(m.sub, 'user-42');
    assert.deepEqual(m.roles, ['http://purl.imsglobal.org/vocab/lis/v2/membership#Learner']);
    assert.deepEqual(m.context, { id: 'course-1', label: 'MATH101', title: 'Mathematics', type: ['http://purl.imsglobal.org/vocab/lis/v2/course#CourseOffering'] });
    assert.deepEqual(m.resourceLink, { id: 'link-1', title: 'Final exam', description: 'Three hours' });
    assert.deepEqual(m.person, { given: 'Ada', family: 'Lovelace', name: 'Ada Lovelace', email: 'ada@example.edu', username: null });
    assert.deepEqual(m.custom, { exam_mode: 'strict', attempts: '2' });
    assert.deepEqual(m.launchPresentation, { documentTarget: 'iframe', returnUrl: 'https://lms.example.edu/return', locale: 'en-GB', width: null, height: null });
    assert.deepEqual(m.ags, {
      lineitem: 'https://lms.example.edu/lineitems/1',
      lineitems: 'https://lms.example.edu/lineitems',
      scopes: ['https://purl.imsglobal.org/spec/lti-ags/scope/score', 'https://purl.imsglobal.org/spec/lti-ags/scope/lineitem'],
    });
    assert.deepEqual(m.nrps, { url: 'https://lms.example.edu/memberships' });
    assert.deepEqual(m.toolPlatform, { guid: 'lms-guid', name: 'Example LMS', productFamilyCode: 'example' });
    assert.equal(m.deepLinking, null);
    assert.equal(m.forUser, null);
    assert.equal(m.lti1p1, null);
    assert.equal(m.targetLinkUri, 'https://tool.example.com/lti/launch');
    assert.equal(m.token.iss, ISS);
    assert.equal(m.token.clientId, CLIENT);
    assert.equal(m.token.exp, NOW_S + 300);
  });

  it('several roles', async () => {
    const roles = ['http://purl.imsglobal.org/vocab/lis/v2/membership#Learner', 'http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor', 'http://purl.imsglobal.org/vocab/lis/v2/institution/person#Faculty'];
    const m = await accepted({ set: { [C.roles]: roles } });
    assert.deepEqual(m.roles, roles);
    assert.equal(isInstructor(m.roles, INSTRUCTOR_ROLES), true);
  });

  it('short role names', async () => {
    const m = await accepted({ set: { [C.roles]: ['Instructor', 'Learner'] } });
    assert.deepEqual(m.roles, ['Instructor', 'Learner']);
    assert.equal(isInstructor(m.roles, INSTRUCTOR_ROLES), true);
  });

  it('unknown roles (treated as a student)', async () => {
    const m = await accepted({ set: { [C.roles]: ['http://example.com/vocab#Wizard', 'Sorcerer'] } });
    assert.deepEqual(m.roles, ['http://example.com/vocab#Wizard', 'Sorcerer']);
    assert.equal(isInstructor(m.roles, INSTRUCTOR_ROLES), false);
  });

  it('empty roles', async () => {
    const m = await accepted({ set: { [C.roles]: [] } });
    assert.deepEqual(m.roles, []);
  });

  it('no personal data', async () => {
    const m = await accepted({ set: { given_name: undefined, family_name: undefined, name: undefined, email: undefined } });
    assert.deepEqual(m.person, { given: null, family: null, name: null, email: null, username: null });
    assert.equal(m.sub, 'user-42');
  });

  it('no context', async () => {
    const m = await accepted({ set: { [C.context]: undefined } });
    assert.equal(m.context, null);
  });

  it('several audiences with azp, and aud as a one-element array', async () => {
    assert.equal((await accepted({ set: { aud: [CLIENT, 'another-tool'], azp: CLIENT } })).platform.id, PLATFORM.id);
    assert.equal((await accepted({ set: { aud: [CLIENT] } })).platform.id, PLATFORM.id);
  });

  it('clock skew: a token issued a few seconds "in the future" or just expired passes', async () => {
    await accepted({ set: { iat: NOW_S + 30, exp: NOW_S + 330 } });
    await accepted({ set: { iat: NOW_S - 330, exp: NOW_S - 30 } });
  });

  it('the browser kept the same state', async () => {
    const input = launchInput();
    input.browserState = input.state;
    await validateLaunch(input, harness().deps);
  });

  it('user name from preferred_username or the Moodle ext claim', async () => {
    assert.equal((await accepted({ set: { preferred_username: 'ada' } })).person.username, 'ada');
    assert.equal((await accepted({ set: { [C.ext]: { user_username: 'ada.l' } } })).person.username, 'ada.l');
  });

  it('deep linking request', async () => {
    const m = await accepted({
      set: {
        [C.messageType]: 'LtiDeepLinkingRequest',
        [C.resourceLink]: undefined,
        [C.roles]: ['http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor'],
        [C.deepLinkingSettings]: {
          deep_link_return_url: 'https://lms.example.edu/deep_links',
          accept_types: ['ltiResourceLink'],
          accept_presentation_document_targets: ['iframe', 'window'],
          accept_multiple: false,
          auto_create: true,
          data: 'opaque-123',
        },
      },
    });
    assert.equal(m.messageType, 'LtiDeepLinkingRequest');
    assert.equal(m.resourceLink, null);
    assert.deepEqual(m.deepLinking, {
      returnUrl: 'https://lms.example.edu/deep_links',
      acceptTypes: ['ltiResourceLink'],
      acceptPresentationDocumentTargets: ['iframe', 'window'],
      acceptMediaTypes: null,
      acceptMultiple: false,
      autoCreate: true,
      title: null,
      text: null,
      data: 'opaque-123',
    });
  });

  it('submission review request with for_user', async () => {
    const m = await accepted({
      set: {
        [C.messageType]: 'LtiSubmissionReviewRequest',
        [C.roles]: ['http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor'],
        [C.forUser]: { user_id: 'student-9', given_name: 'Grace', email: 'grace@example.edu', roles: ['http://purl.imsglobal.org/vocab/lis/v2/membership#Learner'] },
      },
    });
    assert.equal(m.messageType, 'LtiSubmissionReviewRequest');
    assert.deepEqual(m.forUser, {
      userId: 'student-9',
      roles: ['http://purl.imsglobal.org/vocab/lis/v2/membership#Learner'],
      given: 'Grace',
      family: null,
      name: null,
      email: 'grace@example.edu',
      username: null,
    });
    assert.equal(m.resourceLink?.id, 'link-1');
    assert.equal(m.ags?.lineitem, 'https://lms.example.edu/lineitems/1');
  });

  it('carries the lti1p1 claim for the migration mapping', async () => {
    const m = await accepted({ set: { [C.lti1p1]: { user_id: 'old-user', oauth_consumer_key: 'ck', oauth_consumer_key_sign: 'c2ln', resource_link_id: 'old-link' } } });
    assert.deepEqual(m.lti1p1, {
      userId: 'old-user',
      oauthConsumerKey: 'ck',
      oauthConsumerKeySign: 'c2ln',
      resourceLinkId: 'old-link',
      contextId: null,
      toolConsumerInstanceGuid: null,
    });
  });
});
