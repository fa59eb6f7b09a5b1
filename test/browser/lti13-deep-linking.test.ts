/**
 * Deep linking in Chromium: the platform's course page frames the tool for an instructor's
 * LtiDeepLinkingRequest; "Choose the exam for this link" answers with a signed
 * LtiDeepLinkingResponse that the page carries to the platform's return URL, where the test
 * platform verifies it against the JWKS we publish. An existing exam is chosen by keyboard; a new
 * one is made from an uploaded package with its progress shown; a bad file is refused with a
 * reason tied to the file field, and stores nothing.
 *
 * Needs the built app (npx vite build --config web/vite.config.ts).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FrameLocator, Page } from 'playwright-core';
import { buildSamplePackage } from '../../src/scorm/sample-packages.js';
import { bearer, uploadAs } from '../helpers/launch.js';
import { type DeepLinkReturnRecord, ROLE } from '../helpers/test-platform/index.js';
import { type Lti13Browser, startLti13Browser } from './lti13-browser.js';

const CLIENT = 'browser-deep-linking';

describe('deep linking page in Chromium', () => {
  let b: Lti13Browser;
  let existingId = 0;

  before(async () => {
    b = await startLti13Browser(CLIENT);
    // An exam already in course 1, set up through an ordinary link.
    const teacher = await b.launchByHttp({ sub: 'instructor-1', roles: [ROLE.instructor], resourceLink: { id: 'old-link', title: 'Old exam' } });
    const upload = await uploadAs(b.t, teacher, await buildSamplePackage('2004'));
    assert.equal(upload.statusCode, 201, upload.body);
    const info = await b.t.app.inject({ method: 'GET', url: '/api/resource', headers: bearer(teacher) });
    existingId = (info.json() as { resource: { id: number } }).resource.id;
  });

  after(async () => {
    await b?.close();
  });

  async function openDeepLinking(data: string): Promise<{ page: Page; tool: FrameLocator }> {
    const opened = await b.launchInBrowser({ kind: 'deep_linking', sub: 'instructor-1', roles: [ROLE.instructor], deepLinking: { data } });
    await opened.tool
      .getByRole('heading', { name: 'Choose the exam for this link' })
      .waitFor({ timeout: 20_000 })
      .catch(async (error: unknown) => {
        const frames = opened.page.frames().map((f) => f.url());
        const seen = await opened.tool.locator('body').textContent({ timeout: 1000 }).catch((e: unknown) => `(no frame: ${String(e)}) ${frames.join(' | ')}`);
        throw new Error(`the deep linking page did not open; the tool frame shows: ${seen ?? ''}`, { cause: error });
      });
    return opened;
  }

  /** Waits until the platform's return URL answered in the tool's frame; returns what it recorded. */
  async function platformAnswer(tool: FrameLocator, count: number): Promise<DeepLinkReturnRecord> {
    const result = tool.locator('#deep-link-result');
    await result.waitFor({ timeout: 20_000 });
    const records = b.platform.deepLinkReturns();
    assert.equal(records.length, count, 'one answer reached the platform');
    const record = records.at(-1) as DeepLinkReturnRecord;
    assert.ok(record.accepted, `the platform accepted the answer: ${record.detail ?? ''} (${(await result.textContent()) ?? ''})`);
    assert.match((await result.textContent()) ?? '', /^1 item\(s\) added\./);
    return record;
  }

  function assertLinksTo(record: DeepLinkReturnRecord, resourceId: number, title: string, data: string): void {
    assert.equal(record.data, data, 'the request’s data is echoed');
    assert.equal(record.clientId, CLIENT);
    assert.equal(record.deploymentId, 'deployment-1');
    assert.equal(record.items.length, 1);
    const item = record.items[0] as Record<string, unknown>;
    assert.equal(item.type, 'ltiResourceLink');
    assert.equal(item.title, title);
    assert.equal(item.url, `${b.toolOrigin}/lti/launch`);
    assert.deepEqual(item.custom, { resource_id: String(resourceId) });
    assert.deepEqual(item.lineItem, { label: title, scoreMaximum: 100, resourceId: String(resourceId), tag: 'lti-exam-provider' });
    const column = b.platform.lineItems('course-1').find((li) => li.id === record.links[0]?.lineItemId);
    assert.equal(column?.resourceId, String(resourceId), 'the platform made the declared gradebook column');
  }

  async function resourceCount(): Promise<number> {
    const row = await b.t.store.db.selectFrom('resources').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    return Number(row.n);
  }

  it('links an existing exam of the course, chosen with the keyboard', async () => {
    const answers = b.platform.deepLinkReturns().length;
    const { page, tool } = await openDeepLinking('browser-data-1');
    const choice = tool.getByRole('radio', { name: 'Old exam' });
    await choice.waitFor();
    assert.match((await tool.locator(`#${await choice.getAttribute('aria-describedby')}`).textContent()) ?? '', /used by 1 link/);

    // Submitting with nothing chosen explains, and puts the focus on the choices.
    const use = tool.getByRole('button', { name: 'Use this exam', exact: true });
    await use.focus();
    await page.keyboard.press('Enter');
    const alert = tool.getByRole('alert');
    await alert.waitFor();
    assert.equal((await alert.textContent())?.trim(), 'Choose an exam first.');
    assert.equal(await choice.evaluate((el) => el === document.activeElement), true, 'the focus moves to the exams');

    await page.keyboard.press('Space');
    assert.equal(await choice.isChecked(), true);
    await page.keyboard.press('Tab');
    assert.equal(await use.evaluate((el) => el === document.activeElement), true, 'Tab goes from the exams to the button');
    await page.keyboard.press('Enter');

    const record = await platformAnswer(tool, answers + 1);
    assertLinksTo(record, existingId, 'Old exam', 'browser-data-1');
    await page.close();
  });

  it('refuses a file that is not a package, says why beside the field, and stores nothing', async () => {
    const before = await resourceCount();
    const answers = b.platform.deepLinkReturns().length;
    const { page, tool } = await openDeepLinking('browser-data-bad');
    const file = tool.getByLabel('SCORM package (.zip)');

    // Not a zip by its name: refused before anything is sent.
    await file.setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('my notes') });
    await tool.getByRole('button', { name: 'Upload and use this exam' }).click();
    const error = tool.getByTestId('upload-error');
    await error.waitFor();
    assert.equal(await error.getAttribute('role'), 'alert');
    assert.match((await error.textContent()) ?? '', /“notes\.txt” is not a \.zip file/);
    assert.equal(await file.getAttribute('aria-invalid'), 'true');
    assert.match((await file.getAttribute('aria-describedby')) ?? '', /\bupload-error\b/, 'the reason is tied to the field');
    assert.equal(await file.evaluate((el) => el === document.activeElement), true, 'the focus goes back to the field');

    // Named .zip but not a package: the server refuses it with its own reason.
    await file.setInputFiles({ name: 'broken.zip', mimeType: 'application/zip', buffer: Buffer.from('this is not a zip archive') });
    assert.equal(await tool.getByTestId('upload-error').count(), 0, 'choosing another file clears the old reason');
    await tool.getByRole('button', { name: 'Upload and use this exam' }).click();
    await error.waitFor();
    const text = (await error.textContent()) ?? '';
    assert.match(text, /^The package was not accepted: .+/);
    assert.doesNotMatch(text, /HTTP \d+/, `the server’s own reason is shown: ${text}`);
    assert.equal(await resourceCount(), before, 'a refused package makes no exam');
    assert.equal(b.platform.deepLinkReturns().length, answers, 'nothing went to the platform');
    await page.close();
  });

  it('makes a new exam from an uploaded package, showing the progress, and links it', async () => {
    const answers = b.platform.deepLinkReturns().length;
    const { page, tool } = await openDeepLinking('browser-data-2');
    await tool.getByLabel('Title').fill('Browser midterm');
    await tool.getByLabel('SCORM package (.zip)').setInputFiles({ name: 'midterm.zip', mimeType: 'application/zip', buffer: await buildSamplePackage('2004') });

    // The upload is held at the server's door until the page has shown its progress.
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    await b.session.context.route('**/api/deep-linking/resources', async (route) => {
      await held;
      await route.continue();
    });
    await tool.getByRole('button', { name: 'Upload and use this exam' }).click();
    const progress = tool.getByRole('progressbar', { name: /(Uploading|Checking) the package/ });
    await progress.waitFor();
    assert.equal(await progress.evaluate((el) => el.tagName), 'PROGRESS');
    assert.equal(await tool.getByLabel('SCORM package (.zip)').isDisabled(), true, 'the form waits while it uploads');
    release();

    const record = await platformAnswer(tool, answers + 1);
    await b.session.context.unrouteAll();
    const created = await b.t.store.db.selectFrom('resources').select(['id', 'title']).where('title', '=', 'Browser midterm').executeTakeFirstOrThrow();
    assert.notEqual(created.id, existingId);
    assertLinksTo(record, created.id, 'Browser midterm', 'browser-data-2');
    await page.close();
  });
});
