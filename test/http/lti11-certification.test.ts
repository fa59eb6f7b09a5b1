import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { formBody, launchParams, registerConsumer, signLaunch, type TestConsumer } from '../helpers/lti11-consumer.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';
import { databaseKinds } from '../helpers/test-store.js';

/**
 * The launch cases of the LTI 1.1 tool certification: invalid launches are refused with a
 * clear message (or sent back to the LMS with lti_errormsg), valid variants are accepted
 * with the right role, and consumers never see each other's users, contexts or links.
 */
const HOST = 'tool.example.edu';
const URL_SIGNED = `http://${HOST}/lti/launch`;

async function post(t: TestApp, body: Record<string, string>) {
  return t.app.inject({ method: 'POST', url: '/lti/launch', headers: { host: HOST, 'content-type': 'application/x-www-form-urlencoded' }, payload: formBody(body) });
}

async function session(t: TestApp, location: string | undefined) {
  const token = decodeURIComponent((location ?? '').replace(/^\/app\/#token=/, ''));
  const res = await t.app.inject({ method: 'GET', url: '/api/session', headers: { authorization: `Bearer ${token}` } });
  assert.equal(res.statusCode, 200);
  return res.json() as { role: string; user: Record<string, unknown>; context: unknown; resourceLink: { id: number } };
}

const INVALID: Array<{ name: string; params: Record<string, string | undefined>; message: RegExp }> = [
  { name: 'no resource_link_id', params: { resource_link_id: undefined }, message: /resource_link_id/ },
  { name: 'empty resource_link_id', params: { resource_link_id: '' }, message: /resource_link_id/ },
  { name: 'no lti_version', params: { lti_version: undefined }, message: /lti_version/ },
  { name: 'wrong lti_version', params: { lti_version: 'LTI-3p0' }, message: /lti_version/ },
  { name: 'no lti_message_type', params: { lti_message_type: undefined }, message: /lti_message_type/ },
  { name: 'wrong lti_message_type', params: { lti_message_type: 'basic-lti-launch-requestx' }, message: /lti_message_type/ },
];

const ROLE_CASES: Array<{ roles: string | undefined; role: 'instructor' | 'student' }> = [
  { roles: 'Instructor', role: 'instructor' },
  { roles: 'urn:lti:role:ims/lis/Instructor', role: 'instructor' },
  { roles: 'Learner,Instructor', role: 'instructor' },
  { roles: 'urn:lti:role:ims/lis/Learner, urn:lti:role:ims/lis/TeachingAssistant', role: 'instructor' },
  { roles: 'urn:lti:instrole:ims/lis/Administrator', role: 'instructor' },
  { roles: 'urn:lti:role:ims/lis/ContentDeveloper', role: 'instructor' },
  { roles: 'http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor', role: 'instructor' },
  { roles: 'urn:lti:role:ims/lis/Instructor/TeachingAssistant', role: 'instructor' },
  { roles: 'Learner', role: 'student' },
  { roles: 'urn:lti:role:ims/lis/Learner/NonCreditLearner', role: 'student' },
  { roles: 'urn:lti:role:ims/lis/Mentor', role: 'student' },
  { roles: 'SomethingUnknown', role: 'student' },
  { roles: '', role: 'student' },
  { roles: undefined, role: 'student' },
];

for (const kind of databaseKinds()) {
  describe(`LTI 1.1 certification cases on ${kind}`, () => {
    let t: TestApp;
    let lms: TestConsumer;
    before(async () => {
      t = await createTestApp(kind);
      lms = await registerConsumer(t.store.db, t.config.secretKey, 'cert-lms');
    });
    after(async () => t.close());

    for (const c of INVALID) {
      it(`refuses a launch with ${c.name}, storing nothing`, async () => {
        const res = await post(t, signLaunch(lms, URL_SIGNED, launchParams({ ...c.params, resource_link_id: c.params.resource_link_id ?? (Object.hasOwn(c.params, 'resource_link_id') ? undefined : 'invalid-case') })));
        assert.equal(res.statusCode, 400);
        assert.match(res.body, c.message);
        assert.doesNotMatch(res.body, /at .*\.ts:\d+/, 'no stack trace');
        const users = await t.store.db.selectFrom('users').select('id').execute();
        const nonces = await t.store.db.selectFrom('lti_nonces').select('id').execute();
        assert.equal(users.length + nonces.length, 0);
      });

      it(`sends a launch with ${c.name} back to the LMS with lti_errormsg`, async () => {
        const params = launchParams({ ...c.params, launch_presentation_return_url: 'https://lms.example.org/return?x=1' });
        if (Object.hasOwn(c.params, 'resource_link_id')) delete params.resource_link_id;
        const res = await post(t, signLaunch(lms, URL_SIGNED, params));
        assert.equal(res.statusCode, 302);
        const location = new URL(res.headers.location ?? '');
        assert.equal(location.origin + location.pathname, 'https://lms.example.org/return');
        assert.equal(location.searchParams.get('x'), '1');
        assert.match(location.searchParams.get('lti_errormsg') ?? '', c.message);
      });
    }

    it('accepts a launch with no names and no email', async () => {
      const res = await post(t, signLaunch(lms, URL_SIGNED, launchParams({ user_id: 'no-pii', lis_person_name_given: undefined, lis_person_name_family: undefined, lis_person_name_full: undefined, lis_person_contact_email_primary: undefined, lis_person_sourcedid: undefined })));
      assert.equal(res.statusCode, 303);
      const s = await session(t, res.headers.location);
      assert.deepEqual(s.user, { name: null, email: null, username: null, ltiUserId: 'no-pii' });
    });

    it('accepts a launch with no context', async () => {
      const res = await post(t, signLaunch(lms, URL_SIGNED, launchParams({ resource_link_id: 'no-context', context_id: undefined, context_title: undefined, context_label: undefined })));
      assert.equal(res.statusCode, 303);
      assert.equal((await session(t, res.headers.location)).context, null);
    });

    it('accepts a launch with only resource_link_id besides the required fields, as an anonymous student', async () => {
      const res = await post(t, signLaunch(lms, URL_SIGNED, { lti_version: 'LTI-1p0', lti_message_type: 'basic-lti-launch-request', resource_link_id: 'bare-link' }));
      assert.equal(res.statusCode, 303);
      const s = await session(t, res.headers.location);
      assert.equal(s.role, 'student');
      assert.match(String(s.user.ltiUserId), /^anonymous:/);
    });

    for (const c of ROLE_CASES) {
      it(`makes roles ${JSON.stringify(c.roles)} a ${c.role}`, async () => {
        const res = await post(t, signLaunch(lms, URL_SIGNED, launchParams({ roles: c.roles, user_id: `roles-${c.roles ?? 'none'}` })));
        assert.equal(res.statusCode, 303);
        assert.equal((await session(t, res.headers.location)).role, c.role);
      });
    }

    it('uses the configured instructor roles', async () => {
      const custom = await createTestApp(kind, { LTI_INSTRUCTOR_ROLES: 'Mentor' });
      try {
        const consumer = await registerConsumer(custom.store.db, custom.config.secretKey, 'mentors');
        const mentor = await post(custom, signLaunch(consumer, URL_SIGNED, launchParams({ roles: 'urn:lti:role:ims/lis/Mentor' })));
        assert.equal((await session(custom, mentor.headers.location)).role, 'instructor');
        const teacher = await post(custom, signLaunch(consumer, URL_SIGNED, launchParams({ roles: 'Instructor' })));
        assert.equal((await session(custom, teacher.headers.location)).role, 'student');
      } finally {
        await custom.close();
      }
    });

    it('keeps two consumers sending the same context, link and user ids apart', async () => {
      const other = await registerConsumer(t.store.db, t.config.secretKey, 'cert-lms-2');
      const shared = { context_id: 'shared-course', resource_link_id: 'shared-link', user_id: 'shared-user' };
      const a = await post(t, signLaunch(lms, URL_SIGNED, launchParams({ ...shared, lis_person_name_full: 'From A' })));
      const b = await post(t, signLaunch(other, URL_SIGNED, launchParams({ ...shared, lis_person_name_full: 'From B' })));
      const sa = await session(t, a.headers.location);
      const sb = await session(t, b.headers.location);
      assert.equal(sa.user.name, 'From A');
      assert.equal(sb.user.name, 'From B');
      assert.notEqual(sa.resourceLink.id, sb.resourceLink.id);
      const users = await t.store.db.selectFrom('users').select(['id', 'consumer_id']).where('lti_user_id', '=', 'shared-user').execute();
      const contexts = await t.store.db.selectFrom('contexts').select('id').where('lti_context_id', '=', 'shared-course').execute();
      const links = await t.store.db.selectFrom('resource_links').select('id').where('lti_resource_link_id', '=', 'shared-link').execute();
      assert.equal(users.length, 2);
      assert.equal(new Set(users.map((u) => u.consumer_id)).size, 2);
      assert.equal(contexts.length, 2);
      assert.equal(links.length, 2);
    });

    it('accepts the same nonce from two different consumers', async () => {
      const other = await registerConsumer(t.store.db, t.config.secretKey, 'cert-lms-3');
      const a = signLaunch(lms, URL_SIGNED, launchParams({ resource_link_id: 'nonce-a' }));
      const nonce = a.oauth_nonce ?? '';
      // Re-sign for the second consumer with the first one's nonce.
      const { oauth_signature: _s, oauth_nonce: _n, oauth_consumer_key: _k, oauth_timestamp: _ts, oauth_signature_method: _m, oauth_version: _v, ...plain } = a;
      const { default: OAuth } = await import('oauth-1.0a');
      const { createHmac } = await import('node:crypto');
      const signer = new OAuth({ consumer: { key: other.key, secret: other.secret }, signature_method: 'HMAC-SHA1', hash_function: (base, key) => createHmac('sha1', key).update(base).digest('base64') });
      signer.getNonce = () => nonce;
      const b = { ...plain, ...Object.fromEntries(Object.entries(signer.authorize({ url: URL_SIGNED, method: 'POST', data: { ...plain } })).filter(([k]) => k.startsWith('oauth_')).map(([k, v]) => [k, String(v)])) };
      assert.equal(b.oauth_nonce, nonce);
      assert.equal((await post(t, a)).statusCode, 303);
      assert.equal((await post(t, b)).statusCode, 303);
    });
  });
}
