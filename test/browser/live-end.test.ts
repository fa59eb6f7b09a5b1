/**
 * Live end in Chromium against the real server (SQLite): a student is in the sample exam; a
 * deadline set meanwhile shows in the player's status line; then the instructor creates an access change over HTTP that closes the exam for that student; the
 * student's page shows why the attempt ended within 2 seconds of the request (the acceptance
 * bound, end to end: route, apply-access job, event hub, socket, player), and the attempt is
 * ended in the database.
 *
 * Needs the built app (npm run build: dist/web).
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { webDir } from '../../src/package-root.js';
import { buildSamplePackage } from '../../src/scorm/sample-packages.js';
import { newConsumer, uploadAs } from '../helpers/launch.js';
import { launchPerson } from '../helpers/launch-person.js';
import type { TestConsumer } from '../helpers/lti11-consumer.js';
import { createTestApp, listenOnLoopback, type TestApp } from '../helpers/test-app.js';
import { type ChromiumSession, launchChromium } from './chromium.js';

const END_BOUND_MS = 2000;
const REASON = 'This exam has closed for you, so your attempt has ended. Everything saved before it closed is kept.';

/** Polls the page's text until it contains `text`, or fails once `deadline` (epoch ms) has passed. */
async function textBy(page: Page, testId: string, text: string, deadline: number): Promise<void> {
  let last = '';
  for (;;) {
    last = (await page.getByTestId(testId).first().textContent({ timeout: 200 }).catch(() => null)) ?? '';
    if (last.includes(text)) return;
    if (Date.now() > deadline) assert.fail(`no ${JSON.stringify(text)} in [data-testid=${testId}] by the deadline; last saw ${JSON.stringify(last)}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('live end of an attempt in Chromium', () => {
  let t: TestApp;
  let base = '';
  let lms: TestConsumer;
  let session: ChromiumSession;

  before(async () => {
    if (!existsSync(join(webDir(), 'index.html'))) assert.fail('dist/web is not built: run npm run build first');
    t = await createTestApp('sqlite', {}, { webDir: webDir(), realClock: true });
    base = await listenOnLoopback(t);
    lms = await newConsumer(t);
    session = await launchChromium();
  });
  after(async () => {
    await session?.close();
    await t?.close();
  });

  it('an access change that ends availability ends the open attempt on the student’s screen within 2 seconds', async () => {
    const teacher = await launchPerson(t, lms, { userId: 'teacher', role: 'Instructor', username: 'teacher', email: 'teacher@example.org' });
    assert.equal((await uploadAs(t, teacher, await buildSamplePackage('2004'))).statusCode, 201);

    const student = await launchPerson(t, lms, { userId: 'stu-live', role: 'Learner', username: 'stu.live', email: 'stu.live@example.org' });
    const page = await session.context.newPage();
    await page.goto(`${base}/app/#token=${encodeURIComponent(student)}`);
    // The first launch goes straight into the exam; answer a question and let it be saved.
    const exam = page.frameLocator('[data-testid=exam-frame]');
    await exam.getByTestId('answer-1').fill('42');
    await exam.getByTestId('submit-1').click();
    await textBy(page, 'save-status', 'All answers saved', Date.now() + 15_000);
    const attempt = await t.store.db
      .selectFrom('attempts')
      .innerJoin('users', 'users.id', 'attempts.user_id')
      .select(['attempts.id', 'attempts.ended_at'])
      .where('users.lti_user_id', '=', 'stu-live')
      .executeTakeFirstOrThrow();
    assert.equal(attempt.ended_at, null);

    // A deadline set while the attempt is open shows in the player's status line; the exam goes on.
    const settings = {
      gradingMethod: 'highest', includeIncomplete: true, maxAttempts: 0, showScores: 'always', reportTiming: 'immediately',
      reviewFrom: null, availableFrom: null, availableUntil: new Date(Date.now() + 2 * 3600_000).toISOString(), dueAt: null, emailReceipts: false,
    };
    const put = await fetch(`${base}/api/resource/settings`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${teacher}`, 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(settings),
    });
    assert.equal(put.status, 200, await put.text());
    await textBy(page, 'deadline-status', 'Deadline:', Date.now() + 10_000);
    assert.equal(await page.getByTestId('deadline-status').getAttribute('aria-live'), 'polite');
    assert.equal(await page.getByTestId('exam-frame').count(), 1, 'the exam goes on');

    const sentAt = Date.now();
    const res = await fetch(`${base}/api/resource/access-changes`, {
      method: 'POST',
      headers: { authorization: `Bearer ${teacher}`, 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({
        description: 'Closed early for this student',
        targets: 'stu.live',
        availableUntil: new Date(sentAt - 60_000).toISOString(),
        durationMode: 'none',
      }),
    });
    assert.equal(res.status, 201, await res.text());
    await textBy(page, 'player-message', REASON, sentAt + END_BOUND_MS);

    assert.equal(await page.getByRole('heading', { name: 'This attempt has ended' }).count(), 1);
    assert.equal(await page.getByTestId('exam-frame').count(), 0, 'the exam is no longer shown');
    const row = await t.store.db.selectFrom('attempts').select(['ended_at', 'end_reason']).where('id', '=', attempt.id).executeTakeFirstOrThrow();
    assert.notEqual(row.ended_at, null);
    assert.equal(row.end_reason, 'availability_ended');

    // Back on the exam page: the attempt shows how it ended, and why no new one can start.
    await page.getByRole('button', { name: 'Back to the exam page' }).click();
    await textBy(page, 'attempts-table', 'Ended when the exam closed', Date.now() + 5000);
    await textBy(page, 'start-refused', 'This exam is no longer available.', Date.now() + 5000);
    await page.close();
  });
});
