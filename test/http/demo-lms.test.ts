import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ensureDemoConsumer } from '../../src/commands/ensure-demo-consumer.js';
import { setConsumerDisabled } from '../../src/store/repositories/consumers.js';
import { databaseKinds } from '../helpers/test-store.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

const HOST = 'tool.test';

function decodeEntities(text: string): string {
  return text.replace(/&(amp|lt|gt|quot|#39);/g, (_m, e: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'" })[e] ?? _m);
}

/** The action and the hidden fields of the signed launch form, decoded as a browser would. */
function launchForm(page: string): { action: string; target: string | undefined; fields: Array<[string, string]> } {
  const form = /<form id="lti-launch-form"([^>]*)>([\s\S]*?)<\/form>/.exec(page);
  assert.ok(form, 'the page has the signed launch form');
  const attrs = form[1] ?? '';
  const action = /action="([^"]*)"/.exec(attrs)?.[1];
  assert.ok(action !== undefined);
  const fields: Array<[string, string]> = [];
  for (const input of (form[2] ?? '').matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)">/g)) {
    fields.push([decodeEntities(input[1] ?? ''), decodeEntities(input[2] ?? '')]);
  }
  return { action: decodeEntities(action), target: /target="([^"]*)"/.exec(attrs)?.[1], fields };
}

function field(fields: Array<[string, string]>, name: string): string | undefined {
  return fields.find(([k]) => k === name)?.[1];
}

for (const kind of databaseKinds()) {
  describe(`demo LMS (${kind})`, () => {
    let t: TestApp;

    before(async () => {
      t = await createTestApp(kind, { DEMO: '1' });
      await ensureDemoConsumer(t.store.db, t.app.services.secretBox, Date.now());
    });
    after(async () => t.close());

    it('ensureDemoConsumer is idempotent and leaves a disabled consumer disabled', async () => {
      const first = await ensureDemoConsumer(t.store.db, t.app.services.secretBox, Date.now());
      const second = await ensureDemoConsumer(t.store.db, t.app.services.secretBox, Date.now());
      assert.equal(first, second);
      await setConsumerDisabled(t.store.db, 'demo-lms', Date.now());
      try {
        assert.equal(await ensureDemoConsumer(t.store.db, t.app.services.secretBox, Date.now()), first);
        const row = await t.store.db.selectFrom('consumers').select('disabled_at').where('key', '=', 'demo-lms').executeTakeFirstOrThrow();
        assert.notEqual(row.disabled_at, null);
      } finally {
        await setConsumerDisabled(t.store.db, 'demo-lms', null);
      }
    });

    it('the home page explains the tool and offers the demo course', async () => {
      const res = await t.app.inject({ method: 'GET', url: '/', headers: { host: HOST } });
      assert.equal(res.statusCode, 200);
      assert.match(String(res.headers['content-type']), /text\/html/);
      assert.match(res.body, /http:\/\/tool\.test\/lti\/launch/);
      assert.match(res.body, /http:\/\/tool\.test\/lti\/config\.xml/);
      assert.match(res.body, /href="\/admin"/);
      assert.match(res.body, /Try it: demo course/);
      assert.match(res.body, /Open the sample exam as the instructor/);
      assert.match(res.body, /<label for="demo-student">/);
      assert.equal([...res.body.matchAll(/<option value="demo-student-\d">/g)].length, 3);
      assert.equal([...res.body.matchAll(/<form method="post" action="\/demo\/launch">/g)].length, 2);
      assert.match(res.body, /off in production/);
    });

    it('an instructor launch from the demo page is accepted by /lti/launch', async () => {
      const page = await t.app.inject({ method: 'POST', url: '/demo/launch', headers: { host: HOST }, payload: { as: 'instructor' } });
      assert.equal(page.statusCode, 200, page.body);
      assert.match(page.body, /Demo LMS · Demo course: Introduction to Numbas/);
      assert.match(page.body, /<iframe name="tool-frame" class="lms-frame" title="Sample exam \(tool\)"/);
      assert.match(page.body, /<script src="\/static\/demo-launch\.js" defer><\/script>/);
      assert.doesNotMatch(page.body, /<script>/, 'no inline script');
      assert.match(page.headers['content-security-policy'] as string, /form-action 'self' http:\/\/tool\.test/);
      const form = launchForm(page.body);
      assert.equal(form.action, 'http://tool.test/lti/launch');
      assert.equal(form.target, 'tool-frame');
      assert.equal(field(form.fields, 'roles'), 'urn:lti:role:ims/lis/Instructor');
      assert.equal(field(form.fields, 'resource_link_id'), 'demo-exam-1');
      assert.equal(field(form.fields, 'context_title'), 'Demo course: Introduction to Numbas');
      assert.equal(field(form.fields, 'lis_outcome_service_url'), 'http://tool.test/demo/outcomes');
      assert.equal(field(form.fields, 'launch_presentation_return_url'), 'http://tool.test/demo/return');
      assert.equal(field(form.fields, 'oauth_consumer_key'), 'demo-lms');
      assert.ok(field(form.fields, 'oauth_signature'));

      const launch = await t.app.inject({
        method: 'POST',
        url: new URL(form.action).pathname,
        headers: { host: HOST, 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams(form.fields).toString(),
      });
      assert.equal(launch.statusCode, 303, launch.body);
      assert.match(launch.headers.location ?? '', /^\/app\/#token=/);
      assert.equal(launch.headers['set-cookie'], undefined);

      const token = decodeURIComponent((launch.headers.location ?? '').split('#token=')[1] ?? '');
      const session = await t.app.inject({ method: 'GET', url: '/api/session', headers: { host: HOST, authorization: `Bearer ${token}` } });
      assert.equal(session.statusCode, 200, session.body);
      const body = session.json<{ role: string; resourceLink: { title: string }; user: { name: string } }>();
      assert.equal(body.role, 'instructor');
      assert.equal(body.resourceLink.title, 'Sample exam');
      assert.equal(body.user.name, 'Grace Hopper');
    });

    it('a student launch is accepted as a student, and the same form again is a replay', async () => {
      const page = await t.app.inject({
        method: 'POST',
        url: '/demo/launch',
        headers: { host: HOST, 'content-type': 'application/x-www-form-urlencoded' },
        payload: 'as=student&student=demo-student-2',
      });
      assert.equal(page.statusCode, 200, page.body);
      const form = launchForm(page.body);
      assert.equal(field(form.fields, 'roles'), 'Learner');
      assert.equal(field(form.fields, 'lis_person_name_full'), 'Alan Turing');
      assert.match(field(form.fields, 'lis_person_contact_email_primary') ?? '', /@example\.org$/);
      const launch = await t.app.inject({
        method: 'POST',
        url: '/lti/launch',
        headers: { host: HOST, 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams(form.fields).toString(),
      });
      assert.equal(launch.statusCode, 303, launch.body);
      assert.match(launch.headers.location ?? '', /^\/app\/#token=/);
      // The same signed form again is a replay.
      const replay = await t.app.inject({
        method: 'POST',
        url: '/lti/launch',
        headers: { host: HOST, 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams(form.fields).toString(),
      });
      assert.equal(replay.statusCode, 302);
      assert.match(replay.headers.location ?? '', /^http:\/\/tool\.test\/demo\/return\?lti_errormsg=/);
    });

    it('refuses an unknown person or role', async () => {
      const badRole = await t.app.inject({ method: 'POST', url: '/demo/launch', payload: { as: 'admin' } });
      assert.equal(badRole.statusCode, 400);
      const badStudent = await t.app.inject({ method: 'POST', url: '/demo/launch', payload: { as: 'student', student: 'mallory' } });
      assert.equal(badStudent.statusCode, 400);
    });

    it('serves the launch script, and the return page escapes what the tool sent', async () => {
      const script = await t.app.inject({ method: 'GET', url: '/static/demo-launch.js' });
      assert.equal(script.statusCode, 200);
      assert.match(String(script.headers['content-type']), /javascript/);
      assert.match(script.body, /lti-launch-form/);

      const back = await t.app.inject({ method: 'GET', url: `/demo/return?lti_errormsg=${encodeURIComponent('<script>alert(1)</script>')}&lti_msg=${encodeURIComponent('"done" & <b>')}` });
      assert.equal(back.statusCode, 200);
      assert.match(back.body, /You are back in the demo LMS/);
      assert.doesNotMatch(back.body, /<script>alert/);
      assert.match(back.body, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
      assert.match(back.body, /&quot;done&quot; &amp; &lt;b&gt;/);
      const plain = await t.app.inject({ method: 'GET', url: '/demo/return' });
      assert.equal(plain.statusCode, 200);
      assert.doesNotMatch(plain.body, /data-testid="lti-errormsg"/);
    });
  });

  describe(`demo LMS with DEMO_TOOL_ORIGIN (${kind})`, () => {
    let t: TestApp;
    before(async () => {
      t = await createTestApp(kind, { DEMO: '1', DEMO_TOOL_ORIGIN: 'http://localhost:8123' });
      await ensureDemoConsumer(t.store.db, t.app.services.secretBox, Date.now());
    });
    after(async () => t.close());

    it('posts to the tool origin and signs for it', async () => {
      const page = await t.app.inject({ method: 'POST', url: '/demo/launch', headers: { host: '127.0.0.1:8123' }, payload: { as: 'instructor' } });
      assert.equal(page.statusCode, 200, page.body);
      const form = launchForm(page.body);
      assert.equal(form.action, 'http://localhost:8123/lti/launch');
      assert.equal(field(form.fields, 'launch_presentation_return_url'), 'http://127.0.0.1:8123/demo/return');
      assert.match(page.headers['content-security-policy'] as string, /frame-src 'self' http:\/\/localhost:8123/);
      const launch = await t.app.inject({
        method: 'POST',
        url: '/lti/launch',
        headers: { host: 'localhost:8123', 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams(form.fields).toString(),
      });
      assert.equal(launch.statusCode, 303, launch.body);
    });
  });

  describe(`demo LMS off (${kind})`, () => {
    let t: TestApp;
    before(async () => {
      t = await createTestApp(kind, { DEMO: '0' });
    });
    after(async () => t.close());

    it('has no /demo routes and no demo section', async () => {
      const launch = await t.app.inject({ method: 'POST', url: '/demo/launch', payload: { as: 'instructor' } });
      assert.equal(launch.statusCode, 404);
      const back = await t.app.inject({ method: 'GET', url: '/demo/return' });
      assert.equal(back.statusCode, 404);
      const script = await t.app.inject({ method: 'GET', url: '/static/demo-launch.js' });
      assert.equal(script.statusCode, 404);
      const home = await t.app.inject({ method: 'GET', url: '/' });
      assert.equal(home.statusCode, 200);
      assert.match(home.body, /\/lti\/launch/);
      assert.doesNotMatch(home.body, /Try it: demo course/);
      assert.doesNotMatch(home.body, /\/demo\/launch/);
    });
  });
}

describe('the demo course comes with the sample exam', () => {
  for (const kind of databaseKinds()) {
    it(`installs the sample exam once on ${kind}, and keeps an instructor's choice`, async () => {
      const { ensureDemoExam } = await import('../../src/commands/ensure-demo-exam.js');
      const t = await createTestApp(kind, { DEMO: '1' });
      try {
        const consumerId = await ensureDemoConsumer(t.store.db, t.app.services.secretBox, Date.now());
        await ensureDemoExam(t.store.db, consumerId, Date.now());
        await ensureDemoExam(t.store.db, consumerId, Date.now());
        const versions = await t.store.db.selectFrom('package_versions').selectAll().execute();
        assert.equal(versions.length, 1);
        assert.equal(versions[0]?.scorm_version, '2004');
        const link = await t.store.db.selectFrom('resource_links').selectAll().where('lti_resource_link_id', '=', 'demo-exam-1').executeTakeFirstOrThrow();
        assert.ok(link.resource_id);
      } finally {
        await t.close();
      }
    });
  }
});
