import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestApp, type TestApp } from '../helpers/test-app.js';
import { databaseKinds } from '../helpers/test-store.js';

for (const kind of databaseKinds()) {
  describe(`health and errors on ${kind}`, () => {
    let t: TestApp;
    before(async () => {
      t = await createTestApp(kind);
    });
    after(async () => t.close());

    it('reports the database reachable', async () => {
      const res = await t.app.inject({ method: 'GET', url: '/healthz' });
      assert.equal(res.statusCode, 200);
      assert.deepEqual(res.json(), { status: 'ok', database: kind });
    });

    it('answers unknown pages with a friendly 404, JSON under /api', async () => {
      const page = await t.app.inject({ method: 'GET', url: '/no/such/page?<b>' });
      assert.equal(page.statusCode, 404);
      assert.match(String(page.headers['content-type']), /text\/html/);
      assert.match(page.body, /There is nothing at \/no\/such\/page/);
      const api = await t.app.inject({ method: 'GET', url: '/api/nothing' });
      assert.equal(api.statusCode, 404);
      assert.equal((api.json() as { error: { code: string } }).error.code, 'not_found');
    });

    it('refuses a malformed launch body with a readable 400 and no stack trace', async () => {
      const res = await t.app.inject({ method: 'POST', url: '/lti/launch', headers: { 'content-type': 'application/json' }, payload: '{"broken": ' });
      assert.ok(res.statusCode >= 400 && res.statusCode < 500);
      assert.doesNotMatch(res.body, /at .+\.(ts|js):\d+/);
    });

    it('reports 503 once the database is gone', async () => {
      const broken = await createTestApp(kind);
      await broken.store.close();
      const res = await broken.app.inject({ method: 'GET', url: '/healthz' });
      assert.equal(res.statusCode, 503);
      assert.equal((res.json() as { status: string }).status, 'unavailable');
      await broken.app.close();
    });
  });
}
