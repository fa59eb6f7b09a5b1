import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { APP_CONTENT_SECURITY_POLICY, appShellRoutes } from '../../src/http/routes/app-shell.js';

const INDEX_HTML = '<!doctype html><html lang="en"><head><title>t</title><script type="module" src="/app/assets/x.js"></script></head><body><div id="root"></div></body></html>';
const ASSET_JS = 'console.log("asset");';
const SECRET = 'SECRET-OUTSIDE-WEB-DIR';

async function appFor(webDir: string): Promise<FastifyInstance> {
  const app = Fastify({ logger: false });
  await app.register(appShellRoutes, { webDir });
  await app.ready();
  return app;
}

/** Sends a request line as written, over a real socket: inject() would normalise `..` away first. */
function rawGet(port: number, path: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);
    });
    let text = '';
    socket.setEncoding('utf8');
    socket.setTimeout(5000, () => socket.destroy(new Error(`no answer for ${path}`)));
    socket.on('data', (chunk: string) => (text += chunk));
    socket.on('end', () => resolve({ status: Number(text.split(' ')[1]), text }));
    socket.on('error', reject);
  });
}

describe('app shell routes', () => {
  let base: string;
  let app: FastifyInstance;

  before(async () => {
    // base/package.json and base/.env sit outside the served dir, so a traversal that escapes would find them.
    base = mkdtempSync(join(tmpdir(), 'app-shell-'));
    writeFileSync(join(base, 'package.json'), JSON.stringify({ secret: SECRET }));
    const webDir = join(base, 'web');
    mkdirSync(join(webDir, 'assets'), { recursive: true });
    writeFileSync(join(webDir, 'index.html'), INDEX_HTML);
    writeFileSync(join(webDir, 'assets', 'x.js'), ASSET_JS);
    writeFileSync(join(webDir, '.env'), SECRET);
    app = await appFor(webDir);
  });

  after(async () => {
    await app.close();
    rmSync(base, { recursive: true, force: true });
  });

  it('redirects /app to /app/, keeping the query', async () => {
    const plain = await app.inject({ method: 'GET', url: '/app' });
    assert.equal(plain.statusCode, 303);
    assert.equal(plain.headers.location, '/app/');
    const withQuery = await app.inject({ method: 'GET', url: '/app?x=1' });
    assert.equal(withQuery.statusCode, 303);
    assert.equal(withQuery.headers.location, '/app/?x=1');
  });

  it('serves index.html at /app/ uncached, with CSP and the other security headers', async () => {
    const res = await app.inject({ method: 'GET', url: '/app/' });
    assert.equal(res.statusCode, 200);
    assert.equal(res.body, INDEX_HTML);
    assert.match(String(res.headers['content-type']), /^text\/html; charset=utf-8/);
    assert.equal(res.headers['cache-control'], 'no-store');
    assert.equal(
      res.headers['content-security-policy'],
      "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors *; base-uri 'none'; form-action 'self'",
    );
    assert.equal(res.headers['content-security-policy'], APP_CONTENT_SECURITY_POLICY);
    assert.equal(res.headers['referrer-policy'], 'no-referrer');
    assert.equal(res.headers['x-content-type-options'], 'nosniff');
    assert.equal(res.headers['set-cookie'], undefined);
  });

  it('answers HEAD /app/ like GET, without a body', async () => {
    const res = await app.inject({ method: 'HEAD', url: '/app/' });
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['cache-control'], 'no-store');
    assert.equal(res.body, '');
  });

  it('serves index.html requested by name with the same headers', async () => {
    const res = await app.inject({ method: 'GET', url: '/app/index.html' });
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['cache-control'], 'no-store');
    assert.equal(res.headers['content-security-policy'], APP_CONTENT_SECURITY_POLICY);
  });

  it('serves hashed assets as immutable for a year', async () => {
    const res = await app.inject({ method: 'GET', url: '/app/assets/x.js' });
    assert.equal(res.statusCode, 200);
    assert.equal(res.body, ASSET_JS);
    assert.match(String(res.headers['content-type']), /javascript/);
    assert.equal(res.headers['cache-control'], 'public, max-age=31536000, immutable');
    assert.equal(res.headers['x-content-type-options'], 'nosniff');
  });

  it('answers 404 for a file that is not in the build', async () => {
    const res = await app.inject({ method: 'GET', url: '/app/assets/missing.js' });
    assert.equal(res.statusCode, 404);
  });

  it('does not serve dotfiles of the build dir', async () => {
    const res = await app.inject({ method: 'GET', url: '/app/.env' });
    assert.notEqual(res.statusCode, 200);
    assert.ok(!res.body.includes(SECRET));
  });

  for (const url of [
    '/app/../package.json',
    '/app/%2e%2e/package.json',
    '/app/%2E%2E/package.json',
    '/app/assets/../../package.json',
    '/app/assets/%2e%2e/%2e%2e/package.json',
    '/app/..%2fpackage.json',
    '/app/%2e%2e%2fpackage.json',
    '/app/..%5cpackage.json',
    '/app/assets/..%2f..%2fpackage.json',
  ]) {
    it(`does not escape the build dir for ${url}`, async () => {
      const res = await app.inject({ method: 'GET', url });
      assert.ok(res.statusCode >= 400 && res.statusCode < 500, `status ${res.statusCode}`);
      assert.ok(!res.body.includes(SECRET), 'the file outside the build dir was served');
    });
  }

  it('does not escape the build dir over a real socket, where the path reaches the server unnormalised', async () => {
    const served = Fastify({ logger: false });
    await served.register(appShellRoutes, { webDir: join(base, 'web') });
    await served.listen({ host: '127.0.0.1', port: 0 });
    try {
      const address = served.server.address();
      assert.ok(address !== null && typeof address === 'object');
      const sanity = await rawGet(address.port, '/app/assets/x.js');
      assert.equal(sanity.status, 200);
      assert.ok(sanity.text.includes(ASSET_JS));
      for (const url of [
        '/app/../package.json',
        '/app/%2e%2e/package.json',
        '/app/assets/../../package.json',
        '/app/assets/%2e%2e/%2e%2e/package.json',
        '/app/..%2fpackage.json',
        '/app/%2e%2e%2fpackage.json',
      ]) {
        const res = await rawGet(address.port, url);
        assert.ok(res.status >= 400 && res.status < 500, `${url}: status ${res.status}`);
        assert.ok(!res.text.includes(SECRET), `${url}: the file outside the build dir was served`);
      }
    } finally {
      await served.close();
    }
  });

  it('answers 503 with a plain message when the app is not built', async () => {
    const emptyDir = join(base, 'empty');
    mkdirSync(emptyDir);
    for (const webDir of [emptyDir, join(base, 'does-not-exist')]) {
      const unbuilt = await appFor(webDir);
      try {
        const res = await unbuilt.inject({ method: 'GET', url: '/app/' });
        assert.equal(res.statusCode, 503);
        assert.equal(res.body, 'The web app is not built: run npm run build.');
        assert.match(String(res.headers['content-type']), /^text\/plain/);
        const asset = await unbuilt.inject({ method: 'GET', url: '/app/assets/x.js' });
        assert.equal(asset.statusCode, 404);
      } finally {
        await unbuilt.close();
      }
    }
  });
});
