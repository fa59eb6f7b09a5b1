/**
 * The resource's attempt rules through the HTTP API, on every database kind: the attempt limit
 * (and an access token lifting it), availability dates (not yet open, closed, the wrapped
 * window), the review date, and which scores a student sees under each "show scores" policy.
 * Refusals carry the rule's sentence. The job runner is off: these are the request-time checks.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { buildSamplePackage } from '../../src/scorm/sample-packages.js';
import { settingsForm } from '../helpers/instructor-setup.js';
import { bearer, newConsumer, uploadAs } from '../helpers/launch.js';
import { launchPerson } from '../helpers/launch-person.js';
import type { TestConsumer } from '../helpers/lti11-consumer.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';
import { databaseKinds } from '../helpers/test-store.js';

const HOUR = 3600_000;

interface ResourceAnswer {
  canStartNew: boolean;
  attempts: Array<{ id: number; status: string; score: { raw: number | null } | null; canContinue: boolean; canReview: boolean }>;
  availability: { availableFrom: string | null; availableUntil: string | null; dueAt: string | null; availableNow: boolean; reason: string | null };
}

for (const kind of databaseKinds()) {
  describe(`attempt rules over HTTP on ${kind}`, () => {
    let t: TestApp;
    let lms: TestConsumer;
    let teacher: string;
    let start: number;

    before(async () => {
      t = await createTestApp(kind, {}, { jobs: false });
      start = t.clock.now;
      lms = await newConsumer(t);
      teacher = await launchPerson(t, lms, { userId: 'teacher', role: 'Instructor', username: 'teacher', email: 'teacher@example.org' });
      assert.equal((await uploadAs(t, teacher, await buildSamplePackage('2004'))).statusCode, 201);
    });
    after(async () => t?.close());

    const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

    async function settings(changes: Record<string, unknown>): Promise<void> {
      const body = settingsForm(changes);
      const res = await t.app.inject({ method: 'PUT', url: '/api/resource/settings', headers: bearer(teacher), payload: body });
      assert.equal(res.statusCode, 200, res.body);
    }

    const student = (name: string) => launchPerson(t, lms, { userId: name, role: 'Learner', username: name, email: `${name}@example.org` });
    const startAttempt = (token: string) => t.app.inject({ method: 'POST', url: '/api/attempts', headers: bearer(token) });
    const resource = async (token: string) => (await t.app.inject({ method: 'GET', url: '/api/resource', headers: bearer(token) })).json() as ResourceAnswer;

    async function started(token: string): Promise<number> {
      const res = await startAttempt(token);
      assert.equal(res.statusCode, 201, res.body);
      return (res.json() as { attempt: { id: number } }).attempt.id;
    }

    /** Sends a score (and, when `finish`, the end of the exam) the way the player does. */
    async function sendScore(token: string, attemptId: number, raw: number, finish: boolean): Promise<void> {
      const launch = await t.app.inject({ method: 'GET', url: `/api/attempts/${attemptId}/launch`, headers: bearer(token) });
      assert.equal(launch.statusCode, 200, launch.body);
      const { sessionId } = launch.json() as { sessionId: string };
      const elements = [
        { k: 'cmi.score.raw', v: String(raw) },
        { k: 'cmi.score.max', v: '3' },
        ...(finish ? [{ k: 'cmi.completion_status', v: 'completed' }] : []),
      ];
      const res = await t.app.inject({
        method: 'POST',
        url: `/api/attempts/${attemptId}/batches`,
        headers: bearer(token),
        payload: { sessionId, batches: [{ seq: 1, elements, terminate: finish }] },
      });
      assert.equal(res.statusCode, 200, res.body);
      assert.deepEqual((res.json() as { acked: number[] }).acked, [1]);
    }

    it('the attempt limit refuses a further attempt with its reason; an access token allows one more', async () => {
      await settings({ maxAttempts: 1 });
      const token = await student('limited');
      await sendScore(token, await started(token), 2, true);
      const refused = await startAttempt(token);
      assert.equal(refused.statusCode, 403);
      const reason = (refused.json() as { error: { message: string } }).error.message;
      assert.equal(reason, 'You have used all 1 of your allowed attempts.');
      const view = await resource(token);
      assert.equal(view.canStartNew, false);
      assert.equal(view.availability.reason, reason, 'the page shows the same reason');

      const userId = (await t.store.db.selectFrom('users').select('id').where('lti_user_id', '=', 'limited').executeTakeFirstOrThrow()).id;
      const granted = await t.app.inject({ method: 'POST', url: `/api/resource/students/${userId}/access-tokens`, headers: bearer(teacher) });
      assert.equal(granted.statusCode, 200, granted.body);
      assert.equal((await resource(token)).canStartNew, true);
      const second = await started(token);
      // An open attempt is continued, never doubled.
      const doubled = await startAttempt(token);
      assert.equal(doubled.statusCode, 403);
      assert.match((doubled.json() as { error: { message: string } }).error.message, /in progress/);
      await sendScore(token, second, 1, true);
      assert.equal((await startAttempt(token)).statusCode, 403, 'one token, one attempt');
    });

    it('before available-from and after available-until, starting and continuing are refused', async () => {
      const token = await student('dates');
      await settings({});
      const open = await started(token);
      await settings({ availableFrom: iso(start + HOUR) });
      let view = await resource(token);
      assert.equal(view.availability.availableNow, false);
      assert.equal(view.availability.availableFrom, iso(start + HOUR));
      assert.equal(view.attempts[0]?.canContinue, false);
      const resumed = await t.app.inject({ method: 'GET', url: `/api/attempts/${open}/launch`, headers: bearer(token) });
      assert.equal(resumed.statusCode, 403);
      assert.equal((resumed.json() as { error: { message: string } }).error.message, 'This exam is not available at the moment.');

      await settings({ availableUntil: iso(start - HOUR) });
      view = await resource(token);
      assert.equal(view.availability.reason, 'This exam is no longer available.');
      const late = await t.app.inject({ method: 'GET', url: `/api/attempts/${open}/launch`, headers: bearer(token) });
      assert.equal(late.statusCode, 403);
      assert.equal((late.json() as { error: { message: string } }).error.message, 'This exam is no longer available.');

      await settings({ availableFrom: iso(start - HOUR), availableUntil: iso(start + HOUR) });
      assert.equal((await resource(token)).attempts[0]?.canContinue, true);
      assert.equal((await t.app.inject({ method: 'GET', url: `/api/attempts/${open}/launch`, headers: bearer(token) })).statusCode, 200);
    });

    it('a wrapped window (from later than until) is closed between the two and open outside', async () => {
      const token = await student('wrapped');
      // Closed from start+1h until start+2h; open before and after.
      await settings({ availableUntil: iso(start + HOUR), availableFrom: iso(start + 2 * HOUR) });
      assert.equal((await resource(token)).canStartNew, true, 'before the gap');
      t.clock.now = start + 1.5 * HOUR;
      try {
        const view = await resource(token);
        assert.equal(view.canStartNew, false);
        assert.equal(view.availability.reason, 'This exam is not available at the moment.', 'it re-opens, so it has not ended');
        const refused = await startAttempt(token);
        assert.equal(refused.statusCode, 403);
        t.clock.now = start + 2 * HOUR;
        assert.equal((await resource(token)).canStartNew, true, 'open again from available-from');
        await started(token);
      } finally {
        t.clock.now = start;
      }
    });

    it('review before the review date is refused with the date; after it, allowed', async () => {
      await settings({ reviewFrom: iso(start + HOUR) });
      const token = await student('reviewer');
      const attempt = await started(token);
      await sendScore(token, attempt, 3, true);
      const view = await resource(token);
      assert.equal(view.attempts[0]?.canReview, false);
      const early = await t.app.inject({ method: 'GET', url: `/api/attempts/${attempt}/launch?mode=review`, headers: bearer(token) });
      assert.equal(early.statusCode, 403);
      assert.match((early.json() as { error: { message: string } }).error.message, /^Review opens at /);
      t.clock.now = start + HOUR;
      try {
        assert.equal((await resource(token)).attempts[0]?.canReview, true);
        const review = await t.app.inject({ method: 'GET', url: `/api/attempts/${attempt}/launch?mode=review`, headers: bearer(token) });
        assert.equal(review.statusCode, 200, review.body);
      } finally {
        t.clock.now = start;
      }
    });

    it('GET /api/resource hides scores as the show-scores policy says', async () => {
      const token = await student('scores');
      await settings({});
      const first = await started(token);
      await sendScore(token, first, 2, true);
      const second = await started(token);
      await sendScore(token, second, 1, false);
      const scores = async () => {
        const view = await resource(token);
        const byId = new Map(view.attempts.map((a) => [a.id, a.score?.raw ?? null]));
        return { finished: byId.get(first), open: byId.get(second) };
      };
      assert.deepEqual(await scores(), { finished: 2, open: 1 }, 'always');
      await settings({ showScores: 'completed' });
      assert.deepEqual(await scores(), { finished: 2, open: null }, 'completed: only finished attempts');
      await settings({ showScores: 'review', reviewFrom: iso(start + HOUR) });
      assert.deepEqual(await scores(), { finished: null, open: null }, 'review: not before the review date');
      t.clock.now = start + HOUR;
      try {
        assert.deepEqual(await scores(), { finished: 2, open: null }, 'review: from the review date, finished attempts');
      } finally {
        t.clock.now = start;
      }
      await settings({ showScores: 'never' });
      assert.deepEqual(await scores(), { finished: null, open: null }, 'never');
    });
  });
}
