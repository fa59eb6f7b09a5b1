/**
 * An LTI 1.3 launch in Chromium with third-party cookies blocked: the test platform's course
 * page on 127.0.0.1 frames the tool on localhost (another site), starts the login with
 * lti_storage_target, and the tool keeps its state through the platform storage postMessage
 * exchange (lti.put_data at login, lti.get_data at launch) and lands in the app.
 *
 * Needs the built app (npm run build: dist/web).
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { addPlatform } from '../../src/commands/add-platform.js';
import { webDir } from '../../src/package-root.js';
import { createTestApp, listenOnLoopback, type TestApp } from '../helpers/test-app.js';
import { STORAGE_FRAME_NAME, startTestPlatform, type TestPlatform } from '../helpers/test-platform/index.js';
import { type ChromiumSession, launchChromium } from './chromium.js';

interface StorageLogEntry {
  origin: string;
  subject: string;
  key?: string;
  error?: string | null;
  refused?: string;
}

describe('LTI 1.3 launch without third-party cookies in Chromium', () => {
  let t: TestApp;
  let platform: TestPlatform;
  let toolOrigin = '';
  let session: ChromiumSession;

  before(async () => {
    if (!existsSync(join(webDir(), 'index.html'))) assert.fail('dist/web is not built: run npm run build first');
    t = await createTestApp('sqlite', {}, { webDir: webDir(), realClock: true });
    const base = await listenOnLoopback(t);
    // The platform is on 127.0.0.1, the tool on localhost: two sites, so the tool frame is third-party.
    toolOrigin = base.replace('127.0.0.1', 'localhost');
    platform = await startTestPlatform();
    platform.addClient({
      clientId: 'browser-client',
      deploymentIds: ['deployment-1'],
      redirectUris: [`${toolOrigin}/lti/launch`],
      loginUrl: `${toolOrigin}/lti/login`,
      targetLinkUri: `${toolOrigin}/lti/launch`,
    });
    await addPlatform(
      t.store.db,
      t.app.services.secretBox,
      { issuer: platform.issuer, clientId: 'browser-client', authLoginUrl: platform.authUrl, tokenUrl: platform.tokenUrl, jwksUrl: platform.jwksUrl, deployments: ['deployment-1'] },
      Date.now(),
    );
    session = await launchChromium({ blockThirdPartyCookies: true });
  });

  /** A POST launch of the browser exam for `user`, with platform storage named in the login. */
  const launchUrl = (user: string, messageHint: string): string =>
    platform.launchFrameUrl({
      toolLoginUrl: `${toolOrigin}/lti/login`,
      targetLinkUri: `${toolOrigin}/lti/launch`,
      loginHint: user,
      messageHint,
      storageTarget: STORAGE_FRAME_NAME,
      method: 'POST',
      clientId: 'browser-client',
      launch: { sub: user, resourceLink: { id: 'browser-link', title: 'Browser exam' } },
    });

  after(async () => {
    await session?.close();
    await platform?.close();
    await t?.close();
  });

  it('keeps the login state in platform storage and lands in the app', async () => {
    const page = await session.context.newPage();
    await page.goto(launchUrl('browser-student', 'browser-launch-1'));
    const tool = page.frameLocator('#tool');
    // The app's landing page for a student whose instructor has not set up the exam.
    await tool.getByTestId('no-package').waitFor({ timeout: 20_000 });

    const storageFrame = page.frame({ name: STORAGE_FRAME_NAME });
    assert.ok(storageFrame, 'the platform page has its storage frame');
    const log = (await storageFrame.evaluate(() => (window as unknown as { __ltiStorageLog: unknown[] }).__ltiStorageLog)) as StorageLogEntry[];
    const put = log.find((e) => e.subject === 'lti.put_data');
    const get = log.find((e) => e.subject === 'lti.get_data');
    assert.ok(put, `the login stored its state: ${JSON.stringify(log)}`);
    assert.ok(get, `the launch read it back: ${JSON.stringify(log)}`);
    assert.equal(put.origin, toolOrigin);
    assert.equal(put.error, null);
    assert.equal(get.error, null);
    assert.equal(get.key, put.key);

    const launch = await t.store.db.selectFrom('launches').select(['lti_version', 'user_agent']).orderBy('id', 'desc').executeTakeFirstOrThrow();
    assert.equal(launch.lti_version, '1.3.0');
  });

  it('waits for a slow platform that listed storage among its capabilities', async () => {
    // Every answer to put_data and get_data comes after 4 s: longer than the tool waits for a
    // platform that did not answer the capabilities question, within what it gives one that did.
    await session.context.addInitScript(() => {
      (window as unknown as { __ltiStorageDelayMs: number }).__ltiStorageDelayMs = 4000;
    });
    const page = await session.context.newPage();
    await page.goto(launchUrl('browser-student-2', 'browser-launch-2'));
    // Chromium keeps the tool's partitioned state cookie even with third-party cookies blocked,
    // and that fallback would rescue a launch whose storage answer came too late. It goes as
    // soon as the login has asked to store its state (the cookie came with the login page), as
    // in a browser without partitioned cookies: platform storage alone carries the state.
    const storage = page.frame({ name: STORAGE_FRAME_NAME });
    assert.ok(storage, 'the platform page has its storage frame');
    await storage.waitForFunction(() => (window as unknown as { __ltiStorageLog: Array<{ subject: string }> }).__ltiStorageLog.some((e) => e.subject === 'lti.put_data'));
    await session.context.clearCookies();
    await page.frameLocator('#tool').getByTestId('no-package').waitFor({ timeout: 30_000 });
    const log = (await storage.evaluate(() => (window as unknown as { __ltiStorageLog: unknown[] }).__ltiStorageLog)) as StorageLogEntry[];
    assert.ok(log.some((e) => e.subject === 'lti.get_data' && e.error === null), `the launch read the state back: ${JSON.stringify(log)}`);
  });
});
