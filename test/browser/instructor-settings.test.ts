/**
 * The instructor's settings in Chromium against the real server (SQLite): the tabs answer the
 * arrow keys, every control is found by its label, a refused save shows the problem in an alert
 * and next to its field and stores nothing, a good save is stored with the browser's local times
 * turned into instants, and the page shows it again on the next visit.
 *
 * Needs the built app (npx vite build --config web/vite.config.ts).
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { webDir } from '../../src/package-root.js';
import { buildSamplePackage } from '../../src/scorm/sample-packages.js';
import { launchAs, newConsumer, uploadAs } from '../helpers/launch.js';
import type { TestConsumer } from '../helpers/lti11-consumer.js';
import { createTestApp, listenOnLoopback, type TestApp } from '../helpers/test-app.js';
import { type ChromiumSession, launchChromium } from './chromium.js';

describe('instructor settings in Chromium', () => {
  let t: TestApp;
  let base = '';
  let consumer: TestConsumer;
  let session: ChromiumSession;
  let token = '';

  before(async () => {
    if (!existsSync(join(webDir(), 'index.html'))) assert.fail('dist/web is not built: run npm run build first');
    t = await createTestApp('sqlite', {}, { webDir: webDir(), realClock: true, jobs: false });
    base = await listenOnLoopback(t);
    consumer = await newConsumer(t);
    token = await launchAs(t, consumer, { userId: 'teacher', role: 'Instructor' });
    assert.equal((await uploadAs(t, token, await buildSamplePackage('2004'))).statusCode, 201);
    session = await launchChromium();
  });

  after(async () => {
    await session?.close();
    await t?.close();
  });

  async function settingsRow() {
    return t.store.db
      .selectFrom('resources')
      .select(['grading_method', 'include_incomplete', 'max_attempts', 'show_scores', 'report_timing', 'available_from', 'available_until', 'due_at', 'email_receipts'])
      .executeTakeFirstOrThrow();
  }

  /** Opens the instructor's page and goes to the Settings tab with the keyboard. */
  async function openSettings(): Promise<Page> {
    const page = await session.context.newPage();
    await page.goto(`${base}/app/#token=${encodeURIComponent(token)}`);
    const dashboard = page.getByRole('tab', { name: 'Dashboard' });
    await dashboard.waitFor();
    assert.equal(await dashboard.getAttribute('aria-selected'), 'true', 'the page opens on the dashboard');
    await dashboard.focus();
    await page.keyboard.press('ArrowRight');
    const settings = page.getByRole('tab', { name: 'Settings' });
    assert.equal(await settings.getAttribute('aria-selected'), 'true');
    assert.equal(await settings.evaluate((el) => el === document.activeElement), true, 'focus follows the arrow key');
    assert.equal(await dashboard.getAttribute('tabindex'), '-1', 'only the selected tab is in the Tab order');
    await page.getByRole('tabpanel', { name: 'Settings' }).waitFor();
    await page.getByLabel('Grading method').waitFor();
    return page;
  }

  it('the tab list wraps around with the arrow keys and answers Home and End', async () => {
    const page = await session.context.newPage();
    await page.goto(`${base}/app/#token=${encodeURIComponent(token)}`);
    await page.getByRole('tab', { name: 'Dashboard' }).focus();
    await page.keyboard.press('ArrowLeft');
    assert.equal(await page.getByRole('tab', { name: 'Package' }).getAttribute('aria-selected'), 'true');
    await page.getByTestId('package-summary').waitFor();
    await page.keyboard.press('Home');
    assert.equal(await page.getByRole('tab', { name: 'Dashboard' }).getAttribute('aria-selected'), 'true');
    await page.keyboard.press('End');
    assert.equal(await page.getByRole('tab', { name: 'Package' }).getAttribute('aria-selected'), 'true');
    await page.close();
  });

  it('a refused save shows the problem in an alert and next to the field, and stores nothing', async () => {
    const before = await settingsRow();
    const page = await openSettings();
    await page.getByLabel('Available from').fill('2030-01-02T09:30');
    await page.getByLabel('Available until').fill('2030-01-03T09:30');
    await page.getByLabel('Due date').fill('2030-01-05T09:30');
    await page.getByLabel('Due date').press('Enter');
    const alert = page.getByRole('alert');
    await alert.waitFor();
    assert.match((await alert.textContent()) ?? '', /due date/i);
    const due = page.getByLabel('Due date');
    assert.equal(await due.getAttribute('aria-invalid'), 'true');
    const described = (await due.getAttribute('aria-describedby')) ?? '';
    const explanation = await page.evaluate((ids) => ids.split(' ').map((id) => document.getElementById(id)?.textContent ?? '').join(' '), described);
    assert.match(explanation, /not available/, 'the field’s own message is tied to it');
    assert.deepEqual(await settingsRow(), before);
    await page.close();
  });

  it('saves every setting from the labelled form, in the browser’s local time, and shows them again', async () => {
    const page = await openSettings();
    await page.getByLabel('Grading method').selectOption('last');
    await page.getByLabel('Include incomplete attempts in grading').focus();
    await page.keyboard.press('Space');
    await page.getByLabel('Maximum attempts per student').fill('3');
    await page.getByLabel('Show scores to students').selectOption('completed');
    await page.getByLabel('Report scores to the LMS').selectOption('manual');
    // From later than until: a wrapped window, explained on the page before saving.
    await page.getByLabel('Available from').fill('2030-01-02T09:30');
    await page.getByLabel('Available until').fill('2030-01-01T17:00');
    await page.getByTestId('wrapped-note').waitFor();
    await page.getByLabel('Email attempt receipts on completion').check();
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.getByTestId('settings-status').filter({ hasText: 'Settings saved.' }).waitFor();
    assert.match((await page.getByTestId('settings-notes').textContent()) ?? '', /unavailable between/);

    const [from, until] = await page.evaluate(() => [new Date('2030-01-02T09:30').getTime(), new Date('2030-01-01T17:00').getTime()]);
    const row = await settingsRow();
    assert.deepEqual(
      { ...row, available_from: Number(row.available_from), available_until: Number(row.available_until) },
      {
        grading_method: 'last',
        include_incomplete: 0,
        max_attempts: 3,
        show_scores: 'completed',
        report_timing: 'manual',
        available_from: from,
        available_until: until,
        due_at: null,
        email_receipts: 1,
      },
    );
    await page.close();

    const again = await openSettings();
    assert.equal(await again.getByLabel('Grading method').inputValue(), 'last');
    assert.equal(await again.getByLabel('Maximum attempts per student').inputValue(), '3');
    assert.equal(await again.getByLabel('Include incomplete attempts in grading').isChecked(), false);
    assert.equal(await again.getByLabel('Available from').inputValue(), '2030-01-02T09:30');
    assert.equal(await again.getByLabel('Available until').inputValue(), '2030-01-01T17:00');
    assert.equal(await again.getByLabel('Email attempt receipts on completion').isChecked(), true);
    await again.close();
  });
});
