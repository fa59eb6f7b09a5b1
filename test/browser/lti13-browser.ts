/**
 * The LTI 1.3 set-up the instructor page tests share: the real server (SQLite) on loopback, the
 * jose test platform and the tool on 127.0.0.1 (two ports), one client allowed every service
 * scope and registered with the tool, and Chromium.
 *
 * `launchInBrowser` opens the platform's course page, which frames the tool and starts the
 * login there (platform storage keeps the login state); `launchByHttp` does the same launch
 * without a browser, for set-up (a student's attempt, the instructor's upload).
 *
 * Not a test file itself (the runner picks up only *.test.ts).
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { FrameLocator, Page } from 'playwright-core';
import { addPlatform } from '../../src/commands/add-platform.js';
import { webDir } from '../../src/package-root.js';
import { TOOL_LAUNCH_URL, fullLaunch, tokenFrom } from '../helpers/lti13-tool-flow.js';
import { createTestApp, listenOnLoopback, type TestApp } from '../helpers/test-app.js';
import { type LaunchInput, SCOPE, STORAGE_FRAME_NAME, startTestPlatform, type TestPlatform, type TestPlatformOptions } from '../helpers/test-platform/index.js';
import { type ChromiumSession, launchChromium } from './chromium.js';

export interface Lti13Browser {
  t: TestApp;
  platform: TestPlatform;
  session: ChromiumSession;
  clientId: string;
  /** http://127.0.0.1:PORT: the tool as the browser reaches it. */
  toolOrigin: string;
  /** Opens the platform's course page for this launch; answers the tool's frame. */
  launchInBrowser(input: LaunchInput): Promise<{ page: Page; tool: FrameLocator }>;
  /** The same launch over HTTP (no browser); answers the session token. */
  launchByHttp(input: LaunchInput): Promise<string>;
  close(): Promise<void>;
}

let hints = 0;

export async function startLti13Browser(clientId: string, options: TestPlatformOptions = {}): Promise<Lti13Browser> {
  if (!existsSync(join(webDir(), 'index.html'))) assert.fail('dist/web is not built: run npx vite build --config web/vite.config.ts first');
  const t = await createTestApp('sqlite', {}, { webDir: webDir(), realClock: true });
  const base = await listenOnLoopback(t);
  // The tool on 127.0.0.1 like the platform (another port, the same site): the frame stays in
  // one renderer process across the launch's navigations, which keeps the driver's view of it
  // steady. The cross-site frame (third-party cookies) has its own test: lti13-no-cookies.
  const toolOrigin = base;
  const platform = await startTestPlatform(options);
  platform.addClient({
    clientId,
    deploymentIds: ['deployment-1'],
    // The browser reaches the tool on localhost; the HTTP set-up launches name the test host.
    redirectUris: [`${toolOrigin}/lti/launch`, TOOL_LAUNCH_URL],
    loginUrl: `${toolOrigin}/lti/login`,
    targetLinkUri: `${toolOrigin}/lti/launch`,
    toolJwksUrl: `${base}/lti/jwks`,
    allowedScopes: Object.values(SCOPE),
  });
  await addPlatform(
    t.store.db,
    t.app.services.secretBox,
    { issuer: platform.issuer, clientId, authLoginUrl: platform.authUrl, tokenUrl: platform.tokenUrl, jwksUrl: platform.jwksUrl, deployments: ['deployment-1'] },
    Date.now(),
  );
  const session = await launchChromium();
  return {
    t,
    platform,
    session,
    clientId,
    toolOrigin,
    async launchInBrowser(input) {
      const page = await session.context.newPage();
      if (process.env.DEBUG_LTI13_BROWSER) {
        page.on('request', (r) => console.log('request:', r.method(), r.url().slice(0, 100)));
        page.on('response', (r) => console.log('response:', r.status(), r.url().slice(0, 100)));
        page.on('requestfailed', (r) => console.log('failed:', r.url().slice(0, 100), r.failure()?.errorText));
        page.on('console', (m) => console.log('console:', m.type(), m.text()));
      }
      const url = platform.launchFrameUrl({
        toolLoginUrl: `${toolOrigin}/lti/login`,
        targetLinkUri: `${toolOrigin}/lti/launch`,
        loginHint: input.sub ?? 'someone',
        messageHint: `browser-hint-${++hints}`,
        storageTarget: STORAGE_FRAME_NAME,
        method: 'POST',
        clientId,
        launch: { clientId, ...input },
      });
      await page.goto(url);
      return { page, tool: page.frameLocator('#tool') };
    },
    async launchByHttp(input) {
      const res = await fullLaunch(t, platform, { clientId, launch: { clientId, targetLinkUri: TOOL_LAUNCH_URL, ...input } });
      assert.equal(res.statusCode, 303, res.body);
      return tokenFrom(res.headers.location);
    },
    async close() {
      await session.close();
      await platform.close();
      await t.close();
    },
  };
}
