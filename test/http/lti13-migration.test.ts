/**
 * LTI 1.1 → 1.3 migration: a student with attempts from LTI 1.1 launches through LTI 1.3 with
 * the lti1p1 claim (signed with the old consumer secret) and finds the same attempts.
 */
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AttemptDriver } from '../helpers/graded-launch.js';
import { launchInCourse, setUpExam } from '../helpers/instructor-setup.js';
import { bearer } from '../helpers/launch.js';
import { registerConsumer, type TestConsumer } from '../helpers/lti11-consumer.js';
import { fullLaunch, registerWithTool, sessionOf, tokenFrom, tokenPayload } from '../helpers/lti13-tool-flow.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';
import { databaseKinds } from '../helpers/test-store.js';
import { startTestPlatform, type TestPlatform } from '../helpers/test-platform/index.js';

async function attemptIds(t: TestApp, token: string): Promise<number[]> {
  const res = await t.app.inject({ method: 'GET', url: '/api/resource', headers: bearer(token) });
  assert.equal(res.statusCode, 200, res.body);
  return (res.json() as { attempts: Array<{ id: number }> }).attempts.map((a) => a.id).sort();
}

for (const kind of databaseKinds()) {
  describe(`LTI 1.1 to 1.3 migration on ${kind}`, () => {
    let t: TestApp;
    let platform: TestPlatform;
    let legacy: TestConsumer;
    let tenant: { platformId: number; consumerId: number };
    let legacyAttempts: number[];
    let legacyConsumerId: number;

    before(async () => {
      t = await createTestApp(kind);
      platform = await startTestPlatform({ now: () => t.clock.now });
      tenant = await registerWithTool(t, platform, 'migrated-client');
      legacy = await registerConsumer(t.store.db, t.config.secretKey, 'old-lms');
      t.clock.now = Date.now();
      // LTI 1.1: the instructor sets up the exam; the student takes one attempt.
      await setUpExam(t, legacy, { linkId: 'legacy-link', contextId: 'legacy-course', userId: 'legacy-teacher' });
      const student = await launchInCourse(t, legacy, { userId: 'legacy-student', role: 'Learner', linkId: 'legacy-link', contextId: 'legacy-course' });
      const attempt = await AttemptDriver.start(t, student);
      await attempt.finish(0.75);
      legacyAttempts = await attemptIds(t, student);
      assert.equal(legacyAttempts.length, 1);
      legacyConsumerId = tokenPayload(student).consumerId as number;
    });
    after(async () => {
      await platform.close();
      await t.close();
    });
    beforeEach(() => {
      t.clock.now = Date.now();
    });

    it('maps a 1.3 launch with a verified lti1p1 claim onto the 1.1 user, link and attempts', async () => {
      const res = await fullLaunch(t, platform, {
        clientId: 'migrated-client',
        launch: {
          sub: 'new-13-sub',
          resourceLink: { id: 'new-13-link', title: 'Exam' },
          context: { id: 'new-13-course' },
          lti1p1: { userId: 'legacy-student', consumerKey: legacy.key, consumerSecret: legacy.secret, resourceLinkId: 'legacy-link', contextId: 'legacy-course' },
        },
      });
      assert.equal(res.statusCode, 303, res.body);
      const token = tokenFrom(res.headers.location);
      assert.equal(tokenPayload(token).consumerId, legacyConsumerId);
      const session = await sessionOf(t, token);
      assert.equal((session.body.user as { ltiUserId: string }).ltiUserId, 'legacy-student');
      assert.deepEqual(await attemptIds(t, token), legacyAttempts);
      // The launch still keeps its 1.3 services for grades.
      const launch = await t.store.db.selectFrom('launches').select(['id', 'lti_version']).orderBy('id', 'desc').executeTakeFirstOrThrow();
      assert.equal(launch.lti_version, '1.3.0');
      const services = await t.store.db.selectFrom('launch_services').select('platform_id').where('launch_id', '=', launch.id).executeTakeFirstOrThrow();
      assert.equal(services.platform_id, tenant.platformId);
    });

    it('ignores a claim not signed with the consumer secret: the launch stays in the platform tenant', async () => {
      const res = await fullLaunch(t, platform, {
        clientId: 'migrated-client',
        launch: {
          sub: 'forger-sub',
          resourceLink: { id: 'new-13-link' },
          lti1p1: { userId: 'legacy-student', consumerKey: legacy.key, consumerSecret: 'not-the-secret', resourceLinkId: 'legacy-link' },
        },
      });
      assert.equal(res.statusCode, 303, res.body);
      const token = tokenFrom(res.headers.location);
      assert.equal(tokenPayload(token).consumerId, tenant.consumerId);
      assert.equal(((await sessionOf(t, token)).body.user as { ltiUserId: string }).ltiUserId, 'forger-sub');
      assert.deepEqual(await attemptIds(t, token), []);
    });

    it('ignores a claim naming an unknown consumer key', async () => {
      const res = await fullLaunch(t, platform, {
        clientId: 'migrated-client',
        launch: { sub: 'stranger-sub', lti1p1: { userId: 'legacy-student', consumerKey: 'no-such-key', consumerSecret: 'x' } },
      });
      assert.equal(res.statusCode, 303, res.body);
      assert.equal(tokenPayload(tokenFrom(res.headers.location)).consumerId, tenant.consumerId);
    });
  });
}
