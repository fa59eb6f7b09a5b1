/**
 * Checks the browser helper itself: with blockThirdPartyCookies a cross-site iframe cannot
 * set a cookie, and without it the same iframe can (so the check can tell the difference).
 * 127.0.0.1 and localhost are different sites, so a page on one framing the other is a
 * cross-site frame, as an LMS framing a tool is.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { type Server, createServer } from 'node:http';
import { launchChromium } from './chromium.js';

describe('Chromium helper: third-party cookies', () => {
  let server: Server;
  let port = 0;

  before(async () => {
    server = createServer((request, response) => {
      if (request.url === '/top') {
        response.writeHead(200, { 'content-type': 'text/html' });
        response.end(`<!doctype html><title>top</title><iframe id="f" src="http://localhost:${port}/set"></iframe>`);
      } else if (request.url === '/set') {
        // SameSite=None; Secure is the only kind a cross-site frame may set at all; Chrome
        // treats http://localhost as secure, so Secure is accepted here.
        response.writeHead(200, { 'content-type': 'text/html', 'set-cookie': ['third=party; SameSite=None; Secure; Path=/'] });
        response.end('<!doctype html><title>frame</title><p>framed</p>');
      } else {
        response.writeHead(404).end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    port = typeof address === 'object' && address ? address.port : 0;
  });

  after(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  async function cookiesSetByFrame(block: boolean): Promise<string[]> {
    const session = await launchChromium({ blockThirdPartyCookies: block });
    try {
      const page = await session.context.newPage();
      const framed = page.waitForResponse((r) => r.url().endsWith('/set'));
      await page.goto(`http://127.0.0.1:${port}/top`);
      await framed;
      await page.frameLocator('#f').locator('p').waitFor();
      const cookies = await session.context.cookies(`http://localhost:${port}/`);
      return cookies.map((c) => c.name);
    } finally {
      await session.close();
    }
  }

  it('a cross-site frame can set a cookie in a default profile (control)', async () => {
    assert.deepEqual(await cookiesSetByFrame(false), ['third']);
  });

  it('a cross-site frame cannot set a cookie with third-party cookies blocked', async () => {
    assert.deepEqual(await cookiesSetByFrame(true), []);
  });
});
