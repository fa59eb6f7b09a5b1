import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { upsertContext, upsertResourceLink } from '../../src/store/repositories/launch-records.js';
import { createTestStore, databaseKinds, type TestStore } from '../helpers/test-store.js';

const T = 1_700_000_000_000;

/** The context and link a launch names: written only when the launch brings something new. */
for (const kind of databaseKinds()) {
  describe(`launch records on ${kind}`, () => {
    let store: TestStore;
    let consumerId: number;
    before(async () => {
      store = await createTestStore(kind);
      consumerId = (await store.db.insertInto('consumers').values({ key: 'c', secret_sealed: 'x', url: null, created_at: T, disabled_at: null }).returning('id').executeTakeFirstOrThrow()).id;
    });
    after(async () => store.close());

    const context = (id: string) => store.db.selectFrom('contexts').select(['id', 'title', 'label', 'context_type', 'updated_at']).where('lti_context_id', '=', id).executeTakeFirstOrThrow();
    const link = (id: string) => store.db.selectFrom('resource_links').select(['id', 'context_id', 'title', 'description', 'updated_at']).where('lti_resource_link_id', '=', id).executeTakeFirstOrThrow();

    it('creates a context, leaves it alone when nothing is new, and updates it when something is', async () => {
      const id = await upsertContext(store.db, consumerId, { id: 'course', title: 'Algebra', label: 'ALG', type: null }, T);
      assert.equal(await upsertContext(store.db, consumerId, { id: 'course', title: 'Algebra', label: null, type: null }, T + 1), id);
      assert.deepEqual(await context('course'), { id, title: 'Algebra', label: 'ALG', context_type: null, updated_at: T }, 'same data: no write');
      assert.equal(await upsertContext(store.db, consumerId, { id: 'course', title: 'Algebra II', label: null, type: 'CourseSection' }, T + 2), id);
      assert.deepEqual(await context('course'), { id, title: 'Algebra II', label: 'ALG', context_type: 'CourseSection', updated_at: T + 2 }, 'new data: written, absent data kept');
    });

    it('creates a link, leaves it alone when nothing is new, and moves it to a new context', async () => {
      const a = await upsertContext(store.db, consumerId, { id: 'a', title: null, label: null, type: null }, T);
      const b = await upsertContext(store.db, consumerId, { id: 'b', title: null, label: null, type: null }, T);
      const id = await upsertResourceLink(store.db, consumerId, a, { id: 'exam', title: 'Exam', description: 'Final' }, T);
      assert.equal(await upsertResourceLink(store.db, consumerId, null, { id: 'exam', title: 'Exam', description: null }, T + 1), id);
      assert.deepEqual(await link('exam'), { id, context_id: a, title: 'Exam', description: 'Final', updated_at: T });
      assert.equal(await upsertResourceLink(store.db, consumerId, b, { id: 'exam', title: 'Exam', description: null }, T + 2), id);
      assert.deepEqual(await link('exam'), { id, context_id: b, title: 'Exam', description: 'Final', updated_at: T + 2 });
    });

    if (kind === 'postgres') {
      it('a launch into the same context and link does not wait for another launch that has not committed', async () => {
        const contextId = await upsertContext(store.db, consumerId, { id: 'cohort', title: 'Cohort', label: null, type: null }, T);
        await upsertResourceLink(store.db, consumerId, contextId, { id: 'cohort-exam', title: 'Exam', description: null }, T);
        let release!: () => void;
        const held = new Promise<void>((resolve) => (release = resolve));
        let ready!: () => void;
        const started = new Promise<void>((resolve) => (ready = resolve));
        // The first launch takes its rows and stays open until the second is done.
        const first = store.db.transaction().execute(async (trx) => {
          await upsertContext(trx, consumerId, { id: 'cohort', title: 'Cohort', label: null, type: null }, T + 1);
          await upsertResourceLink(trx, consumerId, contextId, { id: 'cohort-exam', title: 'Exam', description: null }, T + 1);
          ready();
          await held;
        });
        await started;
        try {
          // Were either row locked by the first launch, this would fail with lock_timeout, not wait.
          await store.db.transaction().execute(async (trx) => {
            await sql`set local lock_timeout = '100ms'`.execute(trx);
            assert.equal(await upsertContext(trx, consumerId, { id: 'cohort', title: 'Cohort', label: null, type: null }, T + 2), contextId);
            await upsertResourceLink(trx, consumerId, contextId, { id: 'cohort-exam', title: 'Exam', description: null }, T + 2);
          });
        } finally {
          release();
          await first;
        }
      });
    }
  });
}
