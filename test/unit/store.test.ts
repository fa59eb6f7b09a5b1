import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestStore, databaseKinds, type TestStore } from '../helpers/test-store.js';

for (const kind of databaseKinds()) {
  describe(`store on ${kind}`, () => {
    let store: TestStore;
    before(async () => {
      store = await createTestStore(kind);
    });
    after(async () => store.close());

    it('migrates and enforces per-consumer uniqueness of users', async () => {
      const { db } = store;
      const [a] = await db.insertInto('consumers').values({ key: 'a', secret_sealed: 'x', url: null, created_at: 1, disabled_at: null }).returning('id').execute();
      assert.ok(a);
      const row = { consumer_id: a.id, lti_user_id: 'u1', name_given: null, name_family: null, name_full: null, email: null, username: null, created_at: 1, updated_at: 1 };
      await db.insertInto('users').values(row).execute();
      await assert.rejects(db.insertInto('users').values(row).execute());
      const users = await db.selectFrom('users').selectAll().execute();
      assert.equal(users.length, 1);
      assert.equal(typeof users[0]?.id, 'number');
      assert.equal(users[0]?.created_at, 1);
    });
  });
}
