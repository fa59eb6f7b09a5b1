/**
 * The public SCORM "golf" sample packages (../shared/fixtures/scorm, Rustici Software, CC BY 3.0)
 * in the real player in Chromium against the real server (SQLite): each one uploads, a student
 * opens it, the SCO finds the SCORM API, initializes and sets its location and status, and the
 * values reach the database; the package without an organization is refused in the instructor's
 * page with the server's message, and nothing is stored.
 *
 * Needs the built app (npm run build: dist/web).
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Locator, Page } from 'playwright-core';
import { webDir } from '../../src/package-root.js';
import { readValues } from '../../src/store/repositories/attempt-data.js';
import { fixturePackage, launchAs, newConsumer, uploadAs } from '../helpers/launch.js';
import type { TestConsumer } from '../helpers/lti11-consumer.js';
import { createTestApp, listenOnLoopback, type TestApp } from '../helpers/test-app.js';
import { type ChromiumSession, launchChromium } from './chromium.js';

const DEADLINE_MS = 30_000;

/** Polls until `check` returns a value (not undefined), or fails with `what` at the deadline. */
async function eventually<T>(what: string, check: () => Promise<T | undefined>, describeLast: () => string = () => ''): Promise<T> {
  const deadline = Date.now() + DEADLINE_MS;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) assert.fail(`${what}: not within ${DEADLINE_MS} ms. ${describeLast()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function waitForText(locator: Locator, expected: string | RegExp): Promise<string> {
  let last = '';
  return eventually(
    `text ${String(expected)}`,
    async () => {
      last = ((await locator.textContent({ timeout: 1_000 }).catch(() => '')) ?? '').trim();
      return (typeof expected === 'string' ? last === expected : expected.test(last)) ? last : undefined;
    },
    () => `last saw ${JSON.stringify(last)}`,
  );
}

/**
 * What each package's launch page does: `sets` sets its location and status on load; `minimum`
 * (RuntimeMinimumCalls) only calls LMSInitialize on load and LMSFinish on unload; `no-api` is a
 * launch page that calls nothing ("Not implemented yet" in singlesco_scorm12.zip's manifest).
 */
const PACKAGES = [
  { file: 'RuntimeBasicCalls_SCORM20043rdEdition.zip', scorm: '2004', does: 'sets' },
  { file: 'singlescobasic.zip', scorm: '1.2', does: 'sets' },
  { file: 'singlesco_scorm12.zip', scorm: '1.2', does: 'no-api' },
  { file: 'RuntimeMinimumCalls_SCORM12-mini.zip', scorm: '1.2', does: 'minimum' },
] as const;

const LOCATION_KEYS = ['cmi.location', 'cmi.core.lesson_location'];
const STATUS_KEYS = ['cmi.completion_status', 'cmi.success_status', 'cmi.core.lesson_status'];
/** What a SCO (or our player) says when the SCORM API cannot be found. */
const API_NOT_FOUND = /(api|lms)[^\n]{0,60}(not (be )?found|could not|couldn't|unable|cannot|can't)|(not find|could not find|unable to (find|locate|acquire)|cannot find)[^\n]{0,60}(api|lms)/i;

describe('the golf sample packages in the player in Chromium', () => {
  let t: TestApp;
  let base = '';
  let consumer: TestConsumer;
  let session: ChromiumSession;

  before(async () => {
    if (!existsSync(join(webDir(), 'index.html'))) assert.fail('dist/web is not built: run npm run build first');
    for (const { file } of PACKAGES) fixturePackage(file); // fails early and clearly when a fixture is missing
    t = await createTestApp('sqlite', {}, { webDir: webDir(), realClock: true });
    base = await listenOnLoopback(t);
    consumer = await newConsumer(t);
    session = await launchChromium();
  });

  after(async () => {
    await session?.close();
    await t?.close();
  });

  /** Opens the app as a user of a resource link; collects console errors, page errors and dialogs of every frame. */
  async function openAs(userId: string, role: 'Instructor' | 'Learner', linkId: string): Promise<{ page: Page; token: string; problems: string[] }> {
    const token = await launchAs(t, consumer, { userId, role, linkId, name: `${userId} name` });
    const page = await session.context.newPage();
    const problems: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(`console.${m.type()}: ${m.text()}`);
      if (process.env.DEBUG_PLAYER) console.log('console:', m.type(), m.text());
    });
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    page.on('dialog', (d) => {
      problems.push(`dialog: ${d.message()}`);
      void d.dismiss().catch(() => {});
    });
    await page.goto(`${base}/app/#token=${encodeURIComponent(token)}`);
    return { page, token, problems };
  }

  async function attemptOf(userId: string): Promise<{ id: number } | undefined> {
    return t.store.db
      .selectFrom('attempts')
      .innerJoin('users', 'users.id', 'attempts.user_id')
      .select(['attempts.id'])
      .where('users.lti_user_id', '=', userId)
      .orderBy('attempts.id')
      .executeTakeFirst();
  }

  async function valuesOf(attemptId: number): Promise<Record<string, string>> {
    return Object.fromEntries((await readValues(t.store.db, attemptId)).map((r) => [r.key, r.value]));
  }

  for (const [index, pkg] of PACKAGES.entries()) {
    it(`${pkg.file} (SCORM ${pkg.scorm}) imports and runs in the player; what it sets reaches the database`, async () => {
      const linkId = `golf-${index}`;
      const instructor = await launchAs(t, consumer, { userId: `teacher-${index}`, role: 'Instructor', linkId });
      const upload = await uploadAs(t, instructor, fixturePackage(pkg.file));
      assert.equal(upload.statusCode, 201, upload.body);

      const userId = `golfer-${index}`;
      const { page, problems } = await openAs(userId, 'Learner', linkId);
      await page.getByTestId('exam-frame').waitFor({ timeout: DEADLINE_MS });
      const attempt = await eventually('the first launch starts an attempt', () => attemptOf(userId));

      const frame = await eventually('the exam frame loads the package', async () => {
        const handle = await page.getByTestId('exam-frame').elementHandle();
        const found = handle === null ? null : await handle.contentFrame();
        return found !== null && found.url() !== 'about:blank' ? found : undefined;
      });
      let last: Record<string, string> = {};
      if (pkg.does === 'sets') {
        const values = await eventually(
          'the SCO initializes and sets its location and status',
          async () => {
            last = await valuesOf(attempt.id);
            const hasLocation = LOCATION_KEYS.some((k) => last[k] !== undefined);
            const hasStatus = STATUS_KEYS.some((k) => last[k] !== undefined);
            return hasLocation && hasStatus ? last : undefined;
          },
          () => `stored: ${JSON.stringify(last)}; page problems: ${JSON.stringify(problems)}`,
        );
        const location = pkg.scorm === '2004' ? values['cmi.location'] : values['cmi.core.lesson_location'];
        assert.ok(location !== undefined, `the ${pkg.scorm} location element: ${JSON.stringify(values)}`);
        if (pkg.scorm === '2004') assert.ok(values['cmi.completion_status'] !== undefined, JSON.stringify(values));
        else assert.ok(values['cmi.core.lesson_status'] !== undefined, JSON.stringify(values));
      } else if (pkg.does === 'minimum') {
        // The SCO found the API and initialized it: a GetValue from the player's page answers with no error.
        await eventually('the SCO calls LMSInitialize', async () => {
          const probe = await page.evaluate(() => {
            const api = (window as unknown as { API?: Record<string, (...a: string[]) => string> }).API;
            if (!api) return null;
            const value = api.LMSGetValue?.('cmi.core.lesson_status');
            return { value, error: api.LMSGetLastError?.() };
          });
          return probe !== null && probe.error === '0' ? probe : undefined;
        });
        // Its only other call, LMSFinish, comes on unload: leave the SCO's page.
        await frame.evaluate(() => {
          window.location.href = 'about:blank';
        });
        await eventually(
          'LMSFinish reaches the server (the terminate batch)',
          async () => {
            const batches = await t.store.db.selectFrom('attempt_history').select('seq').where('attempt_id', '=', attempt.id).execute();
            return batches.length > 0 ? batches : undefined;
          },
          () => `page problems: ${JSON.stringify(problems)}`,
        );
        last = await valuesOf(attempt.id);
        if (process.env.DEBUG_PLAYER) console.log('stored after LMSFinish:', last);
      } else {
        await eventually('the launch page shows', async () => ((await frame.textContent('body').catch(() => '')) ?? '').includes('Not implemented yet') || undefined);
        assert.deepEqual(await valuesOf(attempt.id), {}, 'a page that calls nothing stores nothing');
      }
      await waitForText(page.getByTestId('save-status'), 'All answers saved');
      assert.equal(await page.evaluate((key) => window.localStorage.getItem(key), `lti-exam-pending:${attempt.id}`), null);
      const apiProblems = problems.filter((p) => API_NOT_FOUND.test(p));
      assert.deepEqual(apiProblems, [], 'no message about the SCORM API not being found');
      assert.deepEqual(
        problems.filter((p) => p.startsWith('dialog:')),
        [],
        'the SCO showed no alert',
      );
      await page.close();
    });
  }

  it('singlescobasic_missingorg.zip is refused in the instructor page with the server message, and nothing is stored', async () => {
    const linkId = 'golf-missingorg';
    const zip = fixturePackage('singlescobasic_missingorg.zip');
    // The server's own message for this package, through the API (nothing is stored either way).
    const probeToken = await launchAs(t, consumer, { userId: 'teacher-probe', role: 'Instructor', linkId: 'golf-missingorg-probe' });
    const refused = await uploadAs(t, probeToken, zip);
    assert.equal(refused.statusCode, 400, refused.body);
    const message = (refused.json() as { error: { message: string } }).error.message;
    assert.match(message, /organi[sz]ation/i, `the message names what is missing: ${message}`);

    const versionsBefore = await t.store.db.selectFrom('package_versions').select('id').execute();
    const blobsBefore = await t.store.db.selectFrom('package_blobs').select('sha256').execute();

    const { page } = await openAs('teacher-missingorg', 'Instructor', linkId);
    await page.getByRole('heading', { name: 'Choose an exam' }).waitFor({ timeout: DEADLINE_MS });
    await page.getByTestId('package-file').setInputFiles({ name: 'singlescobasic_missingorg.zip', mimeType: 'application/zip', buffer: zip });
    await page.getByTestId('upload-package').click();
    const alert = page.getByTestId('upload-error');
    const shown = await waitForText(alert, /.+/);
    assert.equal(await alert.getAttribute('role'), 'alert');
    assert.equal(shown, message, "the page shows the server's message");
    assert.equal(await page.getByTestId('package-summary').count(), 0, 'no package is shown as uploaded');

    assert.deepEqual(await t.store.db.selectFrom('package_versions').select('id').execute(), versionsBefore, 'no package version stored');
    assert.deepEqual(await t.store.db.selectFrom('package_blobs').select('sha256').execute(), blobsBefore, 'no package blob stored');
    const resources = await t.store.db
      .selectFrom('resources')
      .innerJoin('resource_links', 'resource_links.resource_id', 'resources.id')
      .select(['resources.current_package_version_id'])
      .where('resource_links.lti_resource_link_id', '=', linkId)
      .execute();
    assert.ok(resources.every((r) => r.current_package_version_id === null), JSON.stringify(resources));
    await page.close();
  });
});
