import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { newConsumer } from '../helpers/launch.js';
import { api, launchInCourse, setUpExam, settingsForm } from '../helpers/instructor-setup.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';
import { databaseKinds } from '../helpers/test-store.js';

const HOUR = 3_600_000;

interface SettingsBody {
  settings: Record<string, unknown>;
  notes: string[];
}

interface ErrorBody {
  error: { code: string; message: string; problems?: Array<{ field: string; message: string }> };
}

for (const kind of databaseKinds()) {
  describe(`resource settings on ${kind}`, () => {
    let t: TestApp;
    let instructor: string;
    let student: string;
    let otherInstructor: string;

    before(async () => {
      t = await createTestApp(kind, {}, { jobs: false });
      const lms = await newConsumer(t);
      instructor = await setUpExam(t, lms);
      student = await launchInCourse(t, lms, { userId: 'stu', role: 'Learner' });
      // Another course of the same LMS, and another LMS: each its own exam.
      otherInstructor = await setUpExam(t, lms, { linkId: 'other-link', contextId: 'course-2', userId: 'other-teacher' });
      await setUpExam(t, await newConsumer(t, 'other-lms'));
    });
    after(async () => t.close());

    async function resourceIdOf(linkId: string): Promise<number> {
      const row = await t.store.db
        .selectFrom('resource_links')
        .innerJoin('consumers', 'consumers.id', 'resource_links.consumer_id')
        .select('resource_links.resource_id')
        .where('resource_links.lti_resource_link_id', '=', linkId)
        .where('consumers.key', '=', 'lms')
        .executeTakeFirstOrThrow();
      return Number(row.resource_id);
    }

    async function applyAccessJobs(resourceId: number) {
      return t.store.db.selectFrom('jobs').select('id').where('key', '=', `apply-access:${resourceId}`).execute();
    }

    it('reads the defaults of a new exam', async () => {
      const res = await api(t, instructor, 'GET', '/api/resource/settings');
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(res.headers['cache-control'], 'no-store');
      const body = res.json() as SettingsBody;
      assert.deepEqual(body, { settings: settingsForm(), notes: [] });
    });

    it('saves every setting and reads them back; other exams keep theirs', async () => {
      const from = new Date(t.clock.now + HOUR).toISOString();
      const until = new Date(t.clock.now + 5 * HOUR).toISOString();
      const due = new Date(t.clock.now + 4 * HOUR).toISOString();
      const review = new Date(t.clock.now + 6 * HOUR).toISOString();
      const wanted = settingsForm({
        gradingMethod: 'average',
        includeIncomplete: false,
        maxAttempts: 3,
        showScores: 'review',
        reportTiming: 'on_completion',
        reviewFrom: review,
        availableFrom: from,
        availableUntil: until,
        dueAt: due,
        emailReceipts: true,
      });
      const resourceId = await resourceIdOf('exam-link');
      assert.equal((await applyAccessJobs(resourceId)).length, 0, 'nothing queued before the save');
      const saved = await api(t, instructor, 'PUT', '/api/resource/settings', wanted);
      assert.ok((await applyAccessJobs(resourceId)).length > 0, 'apply-access queued with the save');
      assert.equal(saved.statusCode, 200, saved.body);
      assert.deepEqual((saved.json() as SettingsBody).settings, wanted);

      const read = await api(t, instructor, 'GET', '/api/resource/settings');
      assert.deepEqual((read.json() as SettingsBody).settings, wanted);
      const row = await t.store.db
        .selectFrom('resources')
        .innerJoin('resource_links', 'resource_links.resource_id', 'resources.id')
        .innerJoin('consumers', 'consumers.id', 'resources.consumer_id')
        .select(['resources.grading_method', 'resources.available_from'])
        .where('resource_links.lti_resource_link_id', '=', 'exam-link')
        .where('consumers.key', '=', 'lms')
        .executeTakeFirstOrThrow();
      assert.equal(row.grading_method, 'average');
      assert.equal(Number(row.available_from), Date.parse(from));

      const other = await api(t, otherInstructor, 'GET', '/api/resource/settings');
      assert.deepEqual((other.json() as SettingsBody).settings, settingsForm(), 'the other course’s exam is untouched');
    });

    it('accepts maxAttempts as the text of a number field', async () => {
      const res = await api(t, otherInstructor, 'PUT', '/api/resource/settings', settingsForm({ maxAttempts: '7' }));
      assert.equal(res.statusCode, 200, res.body);
      assert.equal((res.json() as SettingsBody).settings.maxAttempts, 7);
    });

    it('explains a wrapped availability window in notes, on save and on read', async () => {
      const from = new Date(t.clock.now + 10 * HOUR).toISOString();
      const until = new Date(t.clock.now + 2 * HOUR).toISOString();
      const res = await api(t, otherInstructor, 'PUT', '/api/resource/settings', settingsForm({ availableFrom: from, availableUntil: until }));
      assert.equal(res.statusCode, 200, res.body);
      assert.match((res.json() as SettingsBody).notes.join(' '), /unavailable between/);
      const read = await api(t, otherInstructor, 'GET', '/api/resource/settings');
      assert.match((read.json() as SettingsBody).notes.join(' '), /unavailable between/);
    });

    const BAD: Array<{ name: string; input: Record<string, unknown>; fields: string[] }> = [
      { name: 'an unknown grading method', input: { gradingMethod: 'best' }, fields: ['gradingMethod'] },
      { name: 'negative maximum attempts', input: { maxAttempts: -1 }, fields: ['maxAttempts'] },
      { name: 'maximum attempts that is not a number', input: { maxAttempts: 'three' }, fields: ['maxAttempts'] },
      { name: 'a date that is not a date', input: { availableFrom: 'next tuesday' }, fields: ['availableFrom'] },
      { name: 'a date without a time zone', input: { dueAt: '2030-01-01T09:00' }, fields: ['dueAt'] },
      {
        name: 'available from equal to available until',
        input: { availableFrom: '2030-01-01T09:00:00Z', availableUntil: '2030-01-01T09:00:00Z' },
        fields: ['availableUntil'],
      },
      {
        name: 'a due date outside the window, with an unknown timing',
        input: { availableFrom: '2030-01-01T09:00:00Z', availableUntil: '2030-01-02T09:00:00Z', dueAt: '2030-01-03T09:00:00Z', reportTiming: 'sometimes' },
        fields: ['dueAt', 'reportTiming'],
      },
    ];
    for (const bad of BAD) {
      it(`refuses ${bad.name} with 400, a message per field, and changes nothing`, async () => {
        const before = (await api(t, instructor, 'GET', '/api/resource/settings')).body;
        const res = await api(t, instructor, 'PUT', '/api/resource/settings', settingsForm(bad.input));
        assert.equal(res.statusCode, 400, res.body);
        const body = res.json() as ErrorBody;
        assert.equal(body.error.code, 'bad_request');
        assert.deepEqual(body.error.problems?.map((p) => p.field).sort(), [...bad.fields].sort());
        for (const p of body.error.problems ?? []) assert.ok(p.message.length > 10, p.message);
        assert.equal((await api(t, instructor, 'GET', '/api/resource/settings')).body, before);
      });
    }

    it('refuses a body without the fields', async () => {
      const res = await api(t, instructor, 'PUT', '/api/resource/settings', { gradingMethod: 'last' });
      assert.equal(res.statusCode, 400);
    });

    it('refuses students (403) and requests without a session (401)', async () => {
      assert.equal((await api(t, student, 'GET', '/api/resource/settings')).statusCode, 403);
      const put = await api(t, student, 'PUT', '/api/resource/settings', settingsForm({ maxAttempts: 99 }));
      assert.equal(put.statusCode, 403);
      const read = await api(t, instructor, 'GET', '/api/resource/settings');
      assert.notEqual((read.json() as SettingsBody).settings.maxAttempts, 99);
      const anonymous = await t.app.inject({ method: 'GET', url: '/api/resource/settings' });
      assert.equal(anonymous.statusCode, 401);
    });

    it('answers 409 to an instructor whose link has no exam yet', async () => {
      const lms = await newConsumer(t, 'third-lms');
      const teacher = await launchInCourse(t, lms, { userId: 'new-teacher', role: 'Instructor', linkId: 'empty-link' });
      const res = await api(t, teacher, 'GET', '/api/resource/settings');
      assert.equal(res.statusCode, 409, res.body);
    });
  });
}
