/**
 * The web app's pages and exam player in Chromium against the real server (SQLite), with our
 * sample SCORM 2004 exam: a student's first launch goes straight in, answers reach the database
 * as they are set, the indicator reports saving and offline, resume, end, review, takeover by a
 * second window; an instructor uploads a package and takes a test run that saves nothing.
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
import { readValues } from '../../src/store/repositories/attempt-data.js';
import { launchAs, newConsumer } from '../helpers/launch.js';
import type { TestConsumer } from '../helpers/lti11-consumer.js';
import { createTestApp, listenOnLoopback, type TestApp } from '../helpers/test-app.js';
import { type ChromiumSession, launchChromium } from './chromium.js';
import { waitForText } from './wait-for-text.js';

describe('web app and player in Chromium', () => {
  let t: TestApp;
  let base = '';
  let consumer: TestConsumer;
  let session: ChromiumSession;

  before(async () => {
    if (!existsSync(join(webDir(), 'index.html'))) assert.fail('dist/web is not built: run npm run build first');
    t = await createTestApp('sqlite', {}, { webDir: webDir(), realClock: true });
    base = await listenOnLoopback(t);
    consumer = await newConsumer(t);
    session = await launchChromium();
  });

  after(async () => {
    await session?.close();
    await t?.close();
  });

  async function openAs(userId: string, role: 'Instructor' | 'Learner'): Promise<{ page: Page; token: string }> {
    const token = await launchAs(t, consumer, { userId, role, name: `${userId} name` });
    const page = await session.context.newPage();
    if (process.env.DEBUG_PLAYER) {
      page.on('console', (m) => console.log('console:', m.type(), m.text()));
      page.on('pageerror', (e) => console.log('pageerror:', e.message));
      page.on('response', (r) => console.log('response:', r.status(), r.url().slice(0, 120)));
    }
    await page.goto(`${base}/app/#token=${encodeURIComponent(token)}`);
    return { page, token };
  }

  async function attemptsOf(userId: string): Promise<Array<{ id: number; ended_at: number | null }>> {
    return t.store.db
      .selectFrom('attempts')
      .innerJoin('users', 'users.id', 'attempts.user_id')
      .select(['attempts.id', 'attempts.ended_at'])
      .where('users.lti_user_id', '=', userId)
      .orderBy('attempts.id')
      .execute();
  }

  async function valuesOf(attemptId: number): Promise<Record<string, string>> {
    return Object.fromEntries((await readValues(t.store.db, attemptId)).map((r) => [r.key, r.value]));
  }

  it('a student without an exam set up is told so', async () => {
    const { page } = await openAs('early-student', 'Learner');
    await waitForText(page.getByTestId('no-package'), 'Your instructor has not set up this exam yet.');
    await page.close();
  });

  it('an instructor uploads the exam package with a progress bar, then takes a test run that saves nothing', async () => {
    const { page } = await openAs('teacher', 'Instructor');
    await page.getByRole('heading', { name: 'Choose an exam' }).waitFor();
    // A file that is not a package: the server's message is shown.
    await page.getByTestId('package-file').setInputFiles({ name: 'notes.zip', mimeType: 'application/zip', buffer: Buffer.from('not a zip') });
    await page.getByTestId('upload-package').click();
    const error = await waitForText(page.getByTestId('upload-error'), /.+/);
    assert.equal(await page.getByTestId('upload-error').getAttribute('role'), 'alert');
    assert.doesNotMatch(error, /HTTP \d+/, `the server's own message: ${error}`);

    // A slow upload, so that the progress bar shows.
    const cdp = await session.context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: 4 * 1024 });
    await page.getByLabel('Exam package (.zip)').setInputFiles({ name: 'exam.zip', mimeType: 'application/zip', buffer: await buildSamplePackage('2004') });
    await page.getByTestId('upload-package').click();
    const progress = page.getByTestId('upload-progress');
    await progress.waitFor();
    assert.equal(await progress.evaluate((el) => el.tagName), 'PROGRESS');
    assert.match((await progress.locator('xpath=..').textContent()) ?? '', /\d+%/);
    await page.getByTestId('package-summary').waitFor();
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
    await cdp.detach();
    assert.equal(await page.getByTestId('package-scorm').textContent(), '2004');
    await page.getByRole('heading', { name: 'Replace exam package' }).waitFor();
    assert.equal(await page.getByLabel('Make existing attempts use this version').isChecked(), false);

    await page.getByTestId('test-run').click();
    const exam = page.frameLocator('[data-testid=exam-frame]');
    await exam.getByTestId('answer-1').fill('42');
    await exam.getByTestId('submit-1').click();
    await exam.getByTestId('score').filter({ hasText: 'Score: 1 / 3' }).waitFor();
    await waitForText(page.getByTestId('save-status'), 'Test run: answers are not saved');
    assert.deepEqual(await attemptsOf('teacher'), [], 'a test run stores no attempt');
    await page.close();
  });

  it("a student's first launch goes straight in; answers are saved as they are set; resume; end; review", async () => {
    const { page } = await openAs('stu-1', 'Learner');
    const exam = page.frameLocator('[data-testid=exam-frame]');
    assert.equal(await page.getByTestId('exam-frame').getAttribute('title'), 'Exam');
    await exam.getByTestId('answer-1').fill('42');
    await exam.getByTestId('submit-1').click();
    await exam.getByTestId('score').filter({ hasText: 'Score: 1 / 3' }).waitFor();
    await waitForText(page.getByTestId('save-status'), 'All answers saved');
    const [attempt] = await attemptsOf('stu-1');
    assert.ok(attempt);
    let values = await valuesOf(attempt.id);
    assert.equal(values['cmi.interactions.0.learner_response'], '42', 'saved without any Commit');
    assert.equal(values['cmi.score.raw'], '1');
    assert.equal(await page.evaluate((key) => window.localStorage.getItem(key), `lti-exam-pending:${attempt.id}`), null);

    // Reload: the attempts table, then Continue resumes where the student was.
    await page.reload();
    await page.getByTestId('attempts-table').waitFor();
    await page.getByTestId(`continue-${attempt.id}`).click();
    await waitForText(exam.getByTestId('status'), 'Exam in progress.');
    await waitForText(exam.getByTestId('score'), 'Score: 1 / 3');
    assert.equal(await exam.getByTestId('answer-1').inputValue(), '42');
    await exam.getByTestId('next').click();
    await exam.getByTestId('answer-2-b').check();
    await exam.getByTestId('submit-2').click();
    await exam.getByTestId('end-exam').click();
    await exam.getByTestId('confirm-end').click();
    await waitForText(page.getByTestId('end-status'), 'Your exam has ended and every answer is saved.');
    values = await valuesOf(attempt.id);
    assert.equal(values['cmi.completion_status'], 'completed');
    assert.notEqual((await attemptsOf('stu-1'))[0]?.ended_at, null, 'the terminate batch ended the attempt');

    await page.getByRole('button', { name: 'Back to the exam page' }).click();
    await page.getByTestId(`review-${attempt.id}`).click();
    await waitForText(exam.getByTestId('status'), 'Review: your answers are shown read-only.');
    await waitForText(page.getByTestId('save-status'), /^Review/);
    assert.equal(await exam.getByTestId('answer-1').inputValue(), '42');
    const before = await valuesOf(attempt.id);
    await page.getByRole('button', { name: 'Close' }).click();
    await page.getByTestId('attempts-table').waitFor();
    assert.deepEqual(await valuesOf(attempt.id), before, 'review changed nothing');
    await page.getByTestId('start-attempt').waitFor();
    await page.close();
  });

  it('the indicator counts unsaved answers offline and everything is sent when the connection returns', async () => {
    const { page } = await openAs('stu-2', 'Learner');
    const exam = page.frameLocator('[data-testid=exam-frame]');
    await exam.getByTestId('answer-1').waitFor();
    await waitForText(page.getByTestId('save-status'), 'All answers saved');
    const [attempt] = await attemptsOf('stu-2');
    assert.ok(attempt);
    // Offline emulation stops the open websocket's traffic without closing it: the player notices
    // when its batch is not acknowledged, and its reconnects fail.
    await session.context.setOffline(true);
    await exam.getByTestId('answer-1').fill('41');
    await exam.getByTestId('submit-1').click();
    await waitForText(page.getByTestId('save-status'), /^Offline — \d+ unsaved answers? \(they will be sent when the connection returns\)$/, 30_000);
    const stored = await page.evaluate((key) => window.localStorage.getItem(key), `lti-exam-pending:${attempt.id}`);
    assert.ok(stored !== null && stored.includes('"41"'), 'unsaved answers are kept in localStorage');
    await session.context.setOffline(false);
    await waitForText(page.getByTestId('save-status'), 'All answers saved', 40_000);
    const values = await valuesOf(attempt.id);
    assert.equal(values['cmi.interactions.0.learner_response'], '41');
    assert.equal(await page.evaluate((key) => window.localStorage.getItem(key), `lti-exam-pending:${attempt.id}`), null);
    await page.close();
  });

  it('after a reload, batches an earlier page left in localStorage are sent before the launch', async () => {
    const { page } = await openAs('stu-4', 'Learner');
    const exam = page.frameLocator('[data-testid=exam-frame]');
    await waitForText(exam.getByTestId('status'), 'Exam in progress.');
    await waitForText(page.getByTestId('save-status'), 'All answers saved');
    const [attempt] = await attemptsOf('stu-4');
    assert.ok(attempt);
    // What a page that died before its batch was acknowledged leaves behind.
    const key = `lti-exam-pending:${attempt.id}`;
    const left = [
      {
        sessionId: 'an-earlier-page',
        seq: 3,
        terminate: false,
        elements: [
          { k: 'cmi.suspend_data', v: JSON.stringify({ answers: ['7', null, null], current: 0 }), t: Date.now() },
          { k: 'cmi.location', v: '1', t: Date.now() },
        ],
      },
    ];
    await page.evaluate(([k, v]) => window.localStorage.setItem(k, v), [key, JSON.stringify(left)] as const);
    await page.reload();
    await page.getByTestId(`continue-${attempt.id}`).click();
    await waitForText(exam.getByTestId('status'), 'Exam in progress.');
    assert.equal(await exam.getByTestId('answer-1').inputValue(), '7', 'the launch already had the resent values');
    await waitForText(page.getByTestId('save-status'), 'All answers saved');
    assert.equal(await page.evaluate((k) => window.localStorage.getItem(k), key), null);
    const batch = await t.store.db
      .selectFrom('attempt_history')
      .select(['seq'])
      .where('attempt_id', '=', attempt.id)
      .where('session_id', '=', 'an-earlier-page')
      .execute();
    assert.deepEqual(batch, [{ seq: 3 }], 'stored under its original session id and seq');
    await page.close();
  });

  it('opening the same attempt in a second window stops the first', async () => {
    const first = await openAs('stu-3', 'Learner');
    const exam = first.page.frameLocator('[data-testid=exam-frame]');
    await exam.getByTestId('answer-1').waitFor();
    await waitForText(first.page.getByTestId('save-status'), 'All answers saved');
    const [attempt] = await attemptsOf('stu-3');
    assert.ok(attempt);
    const second = await session.context.newPage();
    await second.goto(`${base}/app/#token=${encodeURIComponent(first.token)}`);
    await second.getByTestId(`continue-${attempt.id}`).click();
    await second.frameLocator('[data-testid=exam-frame]').getByTestId('answer-1').waitFor();
    await waitForText(first.page.getByTestId('player-message'), /another window/);
    assert.equal(await first.page.getByTestId('exam-frame').count(), 0, 'the exam is replaced by the message');
    await first.page.close();
    await second.close();
  });
});
