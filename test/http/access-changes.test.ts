import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { newConsumer } from '../helpers/launch.js';
import { api, launchInCourse, sendScore, setUpExam, settingsForm, startAttempt, userIdOf } from '../helpers/instructor-setup.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';
import { databaseKinds } from '../helpers/test-store.js';

interface ChangeBody {
  id: number;
  description: string;
  availableFrom: string | null;
  availableUntil: string | null;
  extendDeadlineMinutes: number | null;
  maxAttempts: number | null;
  duration: { mode: string; amount?: number };
  targets: Array<{ kind: string; value: string }>;
}

interface ListBody {
  changes: ChangeBody[];
  you: { username: string | null; email: string | null };
}

interface ErrorBody {
  error: { code: string; message: string; problems?: Array<{ field: string; message: string }> };
}

function change(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    description: 'Extra time arrangement',
    targets: 'sam',
    availableFrom: null,
    availableUntil: null,
    extendDeadlineMinutes: '',
    maxAttempts: '',
    durationMode: 'minutes',
    durationAmount: '15',
    ...overrides,
  };
}

for (const kind of databaseKinds()) {
  describe(`access changes on ${kind}`, () => {
    let t: TestApp;
    let instructor: string;
    let student: string;
    let otherInstructor: string;
    let otherLmsInstructor: string;

    before(async () => {
      t = await createTestApp(kind, {}, { jobs: false });
      const lms = await newConsumer(t);
      instructor = await setUpExam(t, lms, { userId: 'teacher' });
      student = await launchInCourse(t, lms, { userId: 'sam', role: 'Learner', username: 'sam.student', email: 'Sam@Example.org' });
      otherInstructor = await setUpExam(t, lms, { linkId: 'other-link', contextId: 'course-2', userId: 'other-teacher' });
      otherLmsInstructor = await setUpExam(t, await newConsumer(t, 'other-lms'));
    });
    after(async () => t.close());

    const list = async (token = instructor) => {
      const res = await api(t, token, 'GET', '/api/resource/access-changes');
      assert.equal(res.statusCode, 200, res.body);
      return res.json() as ListBody;
    };

    it('shows the instructor their own username and email as the LMS sent them', async () => {
      assert.deepEqual(await list(), { changes: [], you: { username: 'teacher', email: 'teacher@example.org' } });
    });

    it('creates a change with targets from a textarea: lines and commas, emails by their @', async () => {
      const res = await api(t, instructor, 'POST', '/api/resource/access-changes', change({ targets: ' sam.student \n lee@example.org, kim ,\n\nsam.student\nLEE@example.org ' }));
      assert.equal(res.statusCode, 201, res.body);
      const created = (res.json() as { change: ChangeBody }).change;
      assert.deepEqual(created.targets, [
        { kind: 'email', value: 'lee@example.org' },
        { kind: 'username', value: 'kim' },
        { kind: 'username', value: 'sam.student' },
      ]);
      assert.deepEqual(created.duration, { mode: 'minutes', amount: 15 });
      const listed = (await list()).changes;
      assert.equal(listed.length, 1);
      assert.deepEqual(listed[0], created);
    });

    it('stores dates, deadline extension, attempts and every duration mode', async () => {
      const from = '2030-03-01T08:00:00.000Z';
      const until = '2030-03-02T08:00:00.000Z';
      const cases = [
        { input: { availableFrom: from, availableUntil: until, durationMode: 'none', durationAmount: '' }, expect: { availableFrom: from, availableUntil: until, duration: { mode: 'none' } } },
        { input: { extendDeadlineMinutes: 90, durationMode: 'percent', durationAmount: '12.5' }, expect: { extendDeadlineMinutes: 90, duration: { mode: 'percent', amount: 12.5 } } },
        { input: { maxAttempts: '0', durationMode: 'disable', durationAmount: '' }, expect: { maxAttempts: 0, duration: { mode: 'disable' } } },
      ];
      for (const c of cases) {
        const res = await api(t, instructor, 'POST', '/api/resource/access-changes', change(c.input));
        assert.equal(res.statusCode, 201, res.body);
        const created = (res.json() as { change: ChangeBody }).change;
        for (const [key, value] of Object.entries(c.expect)) assert.deepEqual(created[key as keyof ChangeBody], value, key);
      }
      assert.equal((await list()).changes.length, 4);
    });

    const BAD: Array<{ name: string; input: Record<string, unknown>; fields: string[] }> = [
      { name: 'no description', input: { description: '   ' }, fields: ['description'] },
      { name: 'no target', input: { targets: ' ,\n , ' }, fields: ['targets'] },
      { name: 'a date that is not a date', input: { availableUntil: 'soon' }, fields: ['availableUntil'] },
      { name: 'the same from and until', input: { availableFrom: '2030-01-01T00:00:00Z', availableUntil: '2030-01-01T00:00:00Z' }, fields: ['availableUntil'] },
      { name: 'a fractional deadline extension', input: { extendDeadlineMinutes: '1.5' }, fields: ['extendDeadlineMinutes'] },
      { name: 'negative maximum attempts', input: { maxAttempts: -2 }, fields: ['maxAttempts'] },
      { name: 'minutes without an amount', input: { durationAmount: '' }, fields: ['durationAmount'] },
      { name: 'a percentage of zero', input: { durationMode: 'percent', durationAmount: '0' }, fields: ['durationAmount'] },
      { name: 'an unknown duration mode', input: { durationMode: 'double' }, fields: ['durationMode'] },
      { name: 'a change that changes nothing', input: { durationMode: 'none', durationAmount: '' }, fields: ['form'] },
      { name: 'several problems at once', input: { description: '', targets: '', maxAttempts: 'x' }, fields: ['description', 'targets', 'maxAttempts'] },
    ];
    for (const bad of BAD) {
      it(`refuses ${bad.name} with 400 and a message per field; nothing is stored`, async () => {
        const before = await list();
        const res = await api(t, instructor, 'POST', '/api/resource/access-changes', change(bad.input));
        assert.equal(res.statusCode, 400, res.body);
        const body = res.json() as ErrorBody;
        assert.deepEqual(body.error.problems?.map((p) => p.field).sort(), [...bad.fields].sort());
        assert.deepEqual(await list(), before);
      });
    }

    it('deletes a change with its targets; a second delete answers 404', async () => {
      const before = (await list()).changes;
      const victim = before[0];
      assert.ok(victim);
      const res = await api(t, instructor, 'DELETE', `/api/resource/access-changes/${victim.id}`);
      assert.equal(res.statusCode, 204, res.body);
      assert.deepEqual((await list()).changes, before.slice(1));
      const targets = await t.store.db.selectFrom('access_change_targets').select('value').where('access_change_id', '=', victim.id).execute();
      assert.deepEqual(targets, []);
      assert.equal((await api(t, instructor, 'DELETE', `/api/resource/access-changes/${victim.id}`)).statusCode, 404);
    });

    it('an access change raising the attempt limit lets the student start again; it matches their email in any case', async () => {
      for (const c of (await list()).changes) await api(t, instructor, 'DELETE', `/api/resource/access-changes/${c.id}`);
      assert.equal((await api(t, instructor, 'PUT', '/api/resource/settings', settingsForm({ maxAttempts: 1 }))).statusCode, 200);
      const first = await startAttempt(t, student);
      assert.equal(first.statusCode, 201, first.body);
      await sendScore(t, student, (first.json() as { attempt: { id: number } }).attempt.id, 1, true);
      assert.equal((await startAttempt(t, student)).statusCode, 403);

      await t.store.db.deleteFrom('jobs').execute();
      const created = await api(t, instructor, 'POST', '/api/resource/access-changes', change({ targets: 'sam@example.ORG', maxAttempts: 2, durationMode: 'none', durationAmount: '' }));
      assert.equal(created.statusCode, 201, created.body);
      const jobs = await t.store.db.selectFrom('jobs').select('kind').execute();
      assert.deepEqual(jobs, [{ kind: 'apply-access' }], 'apply-access is queued with the change');

      const dashboard = (await api(t, instructor, 'GET', '/api/resource/dashboard')).json() as { students: Array<{ userId: number; maxAttempts: number }> };
      const samId = await userIdOf(t, 'sam');
      assert.equal(dashboard.students.find((s) => s.userId === samId)?.maxAttempts, 2);
      assert.equal((await startAttempt(t, student)).statusCode, 201, 'the change allows a second attempt');
    });

    it('students may not list, create or delete (403)', async () => {
      const id = (await list()).changes[0]?.id ?? 1;
      assert.equal((await api(t, student, 'GET', '/api/resource/access-changes')).statusCode, 403);
      assert.equal((await api(t, student, 'POST', '/api/resource/access-changes', change())).statusCode, 403);
      assert.equal((await api(t, student, 'DELETE', `/api/resource/access-changes/${id}`)).statusCode, 403);
      assert.equal((await list()).changes.length, 1);
    });

    it('another course’s or LMS’s instructor sees none of these changes and cannot delete them (404)', async () => {
      const ours = (await list()).changes;
      assert.equal(ours.length, 1);
      for (const token of [otherInstructor, otherLmsInstructor]) {
        assert.deepEqual((await list(token)).changes, []);
        assert.equal((await api(t, token, 'DELETE', `/api/resource/access-changes/${ours[0]?.id}`)).statusCode, 404);
      }
      assert.deepEqual((await list()).changes, ours);
    });
  });
}
