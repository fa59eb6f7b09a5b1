import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer as createTlsServer } from 'node:tls';
import { InternalAddressError, publicOnlyFetch } from '../../src/lib/public-only-fetch.js';

/** The error fetch rejected with, unwrapped from its "fetch failed" TypeError. */
async function refusal(promise: Promise<Response>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error instanceof Error && error.cause !== undefined ? error.cause : error;
  }
  assert.fail('the request was not refused');
}

describe('publicOnlyFetch', () => {
  let server: Server;
  let port = 0;
  const seen: Array<{ url: string; host: string }> = [];
  before(async () => {
    server = createServer((req, res) => {
      seen.push({ url: req.url ?? '', host: req.headers.host ?? '' });
      if (req.url === '/to-internal-ip') return res.writeHead(302, { location: 'http://10.0.0.1/secret' }).end();
      if (req.url === '/to-internal-name') return res.writeHead(302, { location: `http://rebind.test:${port}/secret` }).end();
      res.writeHead(200, { 'content-type': 'text/plain' }).end('public');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  // For these tests 127.0.0.1 stands for a public host (the test server lives there); 10.0.0.1 is internal.
  const resolved: string[] = [];
  const resolve = async (host: string): Promise<string[]> => {
    resolved.push(host);
    if (host === 'platform.test') return ['127.0.0.1'];
    if (host === 'rebind.test') return ['10.0.0.1'];
    if (host === 'mixed.test') return ['127.0.0.1', '10.0.0.1'];
    return [];
  };
  const isInternal = (address: string): boolean => address !== '127.0.0.1';

  it('connects to the address it checked, with the name kept for the Host header', async () => {
    seen.length = 0;
    resolved.length = 0;
    const res = await publicOnlyFetch({ resolve, isInternal })(`http://platform.test:${port}/config`);
    assert.equal(res.status, 200);
    assert.equal(await res.text(), 'public');
    assert.deepEqual(seen, [{ url: '/config', host: `platform.test:${port}` }]);
    assert.deepEqual(resolved, ['platform.test'], 'one lookup, the one that was checked');
  });

  it('refuses a name that resolves to an internal address, or to any internal address among others', async () => {
    seen.length = 0;
    for (const host of ['rebind.test', 'mixed.test']) {
      const error = await refusal(publicOnlyFetch({ resolve, isInternal })(`http://${host}:${port}/config`));
      assert.ok(error instanceof InternalAddressError, String(error));
      assert.equal(error.address, '10.0.0.1');
    }
    assert.equal(seen.length, 0, 'nothing was sent');
  });

  it('refuses an internal address written as the host, without a lookup', async () => {
    resolved.length = 0;
    const error = await refusal(publicOnlyFetch({ resolve, isInternal: () => true })(`http://127.0.0.1:${port}/config`));
    assert.ok(error instanceof InternalAddressError);
    assert.deepEqual(resolved, []);
  });

  it('checks every redirect: to an internal address, or to a name that resolves to one', async () => {
    seen.length = 0;
    for (const path of ['/to-internal-ip', '/to-internal-name']) {
      const error = await refusal(publicOnlyFetch({ resolve, isInternal })(`http://platform.test:${port}${path}`));
      assert.ok(error instanceof InternalAddressError, `${path}: ${String(error)}`);
    }
    assert.deepEqual(
      seen.map((s) => s.url),
      ['/to-internal-ip', '/to-internal-name'],
      'only the public first hops were reached',
    );
  });

  it('keeps the name for TLS: it is the server name sent, so the certificate is checked against it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'public-fetch-tls-'));
    try {
      execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '1', '-subj', '/CN=platform.test'], { stdio: 'ignore' });
      const names: string[] = [];
      const tls = createTlsServer({ key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')), SNICallback: (name, done) => (names.push(name), done(null)) });
      await new Promise<void>((resolve) => tls.listen(0, '127.0.0.1', resolve));
      try {
        const error = await refusal(publicOnlyFetch({ resolve, isInternal })(`https://platform.test:${(tls.address() as AddressInfo).port}/config`));
        // The connection reached the checked address and presented the name; the self-signed certificate is then refused.
        assert.deepEqual(names, ['platform.test']);
        assert.match(String((error as { code?: unknown }).code), /SELF_SIGNED|UNABLE_TO_VERIFY/);
      } finally {
        await new Promise<void>((resolve) => tls.close(() => resolve()));
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('uses the system resolver and the internal-address rules by default', async () => {
    const error = await refusal(publicOnlyFetch()(`http://localhost:${port}/config`));
    assert.ok(error instanceof InternalAddressError);
  });
});
