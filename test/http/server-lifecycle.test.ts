import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { spawnSync } from 'node:child_process';
import { startServerProcess } from '../helpers/server-process.js';
import { createTestStore, databaseKinds, type TestStore } from '../helpers/test-store.js';

const SECRET_KEY = 'lifecycle-secret-key-0123456789-0123456789';

for (const kind of databaseKinds()) {
  describe(`the server process on ${kind}`, () => {
    let store: TestStore;
    before(async () => {
      store = await createTestStore(kind);
    });
    after(async () => store.close());

    function env(): Record<string, string> {
      return { DATA_DIR: store.dataDir, SECRET_KEY, DEMO: '0', ...(store.databaseUrl ? { DATABASE_URL: store.databaseUrl } : {}) };
    }

    it('finishes a request in flight on SIGTERM, then exits 0', async () => {
      const server = await startServerProcess(env());
      const body = 'lti_version=LTI-1p0&lti_message_type=basic-lti-launch-request&resource_link_id=x&oauth_consumer_key=nobody';
      // Send the headers and half the body, signal, then the rest: the answer must still come.
      const answer = new Promise<number>((resolve, reject) => {
        const req = request(`${server.url}/lti/launch`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body) } }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        });
        req.on('error', reject);
        req.write(body.slice(0, 20));
        setTimeout(() => {
          server.child.kill('SIGTERM');
          setTimeout(() => req.end(body.slice(20)), 300);
        }, 200);
      });
      assert.equal(await answer, 401, 'the in-flight launch is answered (unknown consumer)');
      const code = await new Promise<number | null>((resolve) => server.child.once('exit', (c) => resolve(c)));
      assert.equal(code, 0, server.output());
      assert.match(server.output(), /shutting down/);
    });

    it('refuses to start with a bad setting, naming the variable', () => {
      const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'serve'], { env: { ...process.env, ...env(), PORT: 'eighty' }, encoding: 'utf8' });
      assert.equal(result.status, 1);
      assert.match(result.stderr, /Configuration error: PORT: must be a whole number/);
      assert.doesNotMatch(result.stderr, /at .+\.(ts|js):\d+/);
    });
  });
}
