import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { accessFromRows, loadAccess } from '../../src/commands/load-access.js';
import { checkAttemptAccess } from '../../src/commands/resource-access.js';
import { readSessionToken } from '../../src/domain/session-token.js';
import type { LtiSession } from '../../src/domain/session-token.js';
import { readValues } from '../../src/store/repositories/attempt-data.js';
import { readAttemptLaunch } from '../../src/store/repositories/attempt-launch.js';
import { newConsumer } from '../helpers/launch.js';
import { api, launchInCourse, sendScore, setUpExam, settingsForm, startAttempt } from '../helpers/instructor-setup.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';
import { databaseKinds } from '../helpers/test-store.js';

// The one-statement read of a resume is PostgreSQL's (on SQLite separate reads cost nothing
// extra): it must read exactly what the separate reads do, so the same rules apply.
for (const kind of databaseKinds().filter((k) => k === 'postgres')) {
  describe(`the resume's one-statement read on ${kind}`, () => {
    let t: TestApp;
    let student: LtiSession;
    let other: LtiSession;
    let attemptId: number;

    const sessionOf = (token: string): LtiSession => {
      const check = readSessionToken(t.app.services.sessionKey, token, t.app.services.now());
      if (!check.ok) throw new Error('the test token does not verify');
      return check.session;
    };

    before(async () => {
      t = await createTestApp(kind, {}, { jobs: false });
      const lms = await newConsumer(t);
      const teacher = await setUpExam(t, lms);
      const saved = await api(t, teacher, 'PUT', '/api/resource/settings', settingsForm({ maxAttempts: 2, gradingMethod: 'last', showScores: 'completed' }));
      assert.equal(saved.statusCode, 200, saved.body);
      const token = await launchInCourse(t, lms, { userId: 'reader', role: 'Learner', username: 'reader-name', email: 'Reader@Example.org' });
      const otherToken = await launchInCourse(t, lms, { userId: 'someone-else', role: 'Learner' });
      student = sessionOf(token);
      other = sessionOf(otherToken);
      // Changes for this student by username and by email, created in an order their ids do not follow, and one for someone else.
      const changes = [
        { description: 'By email', targets: 'reader@example.org', durationMode: 'minutes', durationAmount: 10, maxAttempts: 4 },
        { description: 'By username', targets: 'reader-name, nobody', durationMode: 'percent', durationAmount: 50 },
        { description: 'Someone else', targets: 'someone-else', durationMode: 'disable' },
      ];
      for (const change of changes) {
        const res = await api(t, teacher, 'POST', '/api/resource/access-changes', change);
        assert.equal(res.statusCode, 201, res.body);
        t.clock.now += 1000;
      }
      await t.store.db.updateTable('access_changes').set({ created_at: t.clock.now + 5000 }).where('description', '=', 'By email').execute();
      const granted = await api(t, teacher, 'POST', `/api/resource/students/${student.userId}/access-tokens`);
      assert.equal(granted.statusCode, 200, granted.body);

      const first = await startAttempt(t, token);
      assert.equal(first.statusCode, 201, first.body);
      await sendScore(t, token, (first.json() as { attempt: { id: number } }).attempt.id, 2, true);
      t.clock.now += 1000;
      const second = await startAttempt(t, token);
      assert.equal(second.statusCode, 201, second.body);
      attemptId = (second.json() as { attempt: { id: number } }).attempt.id;
      await sendScore(t, token, attemptId, 1, false);
    });
    after(async () => t?.close());

    it('reads the same rules, attempt, package version, learner and values as the separate reads', async () => {
      const db = t.store.db;
      const rows = await readAttemptLaunch(db, student.resourceLinkId, student.consumerId, attemptId);
      const attempt = checkAttemptAccess(student, rows.link, rows.attempt);
      assert.deepEqual(attempt, await db.selectFrom('attempts').selectAll().where('id', '=', attemptId).executeTakeFirstOrThrow());
      const separate = await loadAccess(db, attempt.resource_id, attempt.user_id, t.clock.now);
      assert.deepEqual(accessFromRows(rows), separate);
      assert.equal(separate.attempts.length, 2, 'both attempts, oldest first');
      assert.equal(separate.access.duration.mode, 'minutes', 'the later-created change (by email) wins the duration');
      assert.deepEqual(rows.version, await db.selectFrom('package_versions').selectAll().where('id', '=', attempt.package_version_id).executeTakeFirstOrThrow());
      const user = await db.selectFrom('users').selectAll().where('id', '=', attempt.user_id).executeTakeFirstOrThrow();
      assert.deepEqual(rows.user, { lti_user_id: user.lti_user_id, name_given: user.name_given, name_family: user.name_family, name_full: user.name_full, username: user.username, email: user.email });
      const values = Object.fromEntries((await readValues(db, attemptId)).map((r) => [r.key, r.value]));
      assert.ok(Object.keys(values).length > 0);
      assert.deepEqual(rows.values, values);
    });

    it('applies the same access policy: another student, another attempt id, a gone link', async () => {
      const db = t.store.db;
      const theirs = await readAttemptLaunch(db, other.resourceLinkId, other.consumerId, attemptId);
      assert.throws(() => checkAttemptAccess(other, theirs.link, theirs.attempt), { code: 'not_found' });
      const missing = await readAttemptLaunch(db, student.resourceLinkId, student.consumerId, attemptId + 1000);
      assert.equal(missing.attempt, undefined);
      assert.deepEqual(missing.values, {});
      assert.throws(() => checkAttemptAccess(student, missing.link, missing.attempt), { code: 'not_found' });
      const gone = await readAttemptLaunch(db, student.resourceLinkId + 1000, student.consumerId, attemptId);
      assert.throws(() => checkAttemptAccess(student, gone.link, gone.attempt), { code: 'session_invalid' });
    });
  });
}
