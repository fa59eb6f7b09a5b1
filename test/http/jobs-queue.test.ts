import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { type Store, openStore } from '../../src/store/database.js';
import { claimJobs } from '../../src/store/repositories/job-claims.js';
import {
  cancelJob,
  completeJob,
  enqueueJob,
  getJob,
  listJobs,
  releaseJob,
  retryJob,
} from '../../src/store/repositories/jobs.js';
import { createTestStore, databaseKinds, type TestStore } from '../helpers/test-store.js';

const T = 1_700_000_000_000;
const DAY = 24 * 3600 * 1000;

for (const kind of databaseKinds()) {
  describe(`job queue on ${kind}`, () => {
    let store: TestStore;
    /** Another node's connection pool on PostgreSQL; SQLite is one node, so the same store. */
    let other: Store;
    let resourceId: number;
    before(async () => {
      store = await createTestStore(kind);
      other = store.databaseUrl ? await openStore({ databaseUrl: store.databaseUrl, dataDir: store.dataDir }) : store;
      const consumer = await store.db.insertInto('consumers').values({ key: 'c', secret_sealed: 'x', url: null, created_at: T, disabled_at: null }).returning('id').executeTakeFirstOrThrow();
      const resource = await store.db
        .insertInto('resources')
        .values({ consumer_id: consumer.id, context_id: null, title: 'Exam', current_package_version_id: null, created_at: T, updated_at: T })
        .returning('id')
        .executeTakeFirstOrThrow();
      resourceId = resource.id;
    });
    after(async () => {
      if (other !== store) await other.close();
      await store.close();
    });

    async function pendingWithKey(key: string) {
      return store.db.selectFrom('jobs').selectAll().where('key', '=', key).where('state', '=', 'pending').execute();
    }

    it('coalesces a pending job: one row, the latest payload, the earliest run time, the latest deadline', async () => {
      const first = await enqueueJob(store.db, { kind: 'test', key: 'coalesce', payload: { score: 0.1 }, runAt: T + 10_000, deadlineAt: T + DAY }, T);
      const second = await enqueueJob(store.db, { kind: 'test', key: 'coalesce', payload: { score: 0.2 }, runAt: T + 5_000, deadlineAt: T + DAY / 2, resourceId }, T + 1);
      const third = await enqueueJob(store.db, { kind: 'test', key: 'coalesce', payload: { score: 0.3 }, runAt: T + 20_000, deadlineAt: T + 2 * DAY }, T + 2);
      assert.equal(second.id, first.id);
      assert.equal(third.id, first.id);
      const rows = await pendingWithKey('coalesce');
      assert.equal(rows.length, 1);
      const row = rows[0];
      assert.deepEqual(JSON.parse(row?.payload ?? ''), { score: 0.3 });
      assert.equal(row?.run_at, T + 5_000, 'a newer request is never run later than it asked');
      assert.equal(row?.deadline_at, T + 2 * DAY, 'nor given up earlier');
      assert.equal(row?.resource_id, resourceId, 'a request without a resource keeps the known one');
      assert.equal(row?.created_at, T);
      assert.equal(row?.updated_at, T + 2);
    });

    it('keeps one pending job when two nodes enqueue the same key at once', async () => {
      const payloads = Array.from({ length: 40 }, (_, i) => i);
      await Promise.all(payloads.map((i) => enqueueJob(i % 2 ? other.db : store.db, { kind: 'test', key: 'race', payload: { i }, runAt: T, deadlineAt: T + DAY }, T)));
      const rows = await pendingWithKey('race');
      assert.equal(rows.length, 1);
      assert.ok(payloads.includes((JSON.parse(rows[0]?.payload ?? '') as { i: number }).i));
    });

    it('starts a new pending job when the previous one with the key is already running', async () => {
      await enqueueJob(store.db, { kind: 'running-key', key: 'rk', payload: 1, runAt: T, deadlineAt: T + DAY }, T);
      const [claimed] = await claimJobs(store.db, { node: 'n1', limit: 1, now: T, lockMs: 60_000, kinds: ['running-key'] });
      const next = await enqueueJob(store.db, { kind: 'running-key', key: 'rk', payload: 2, runAt: T, deadlineAt: T + DAY }, T);
      assert.notEqual(next.id, claimed?.id);
      assert.equal((await getJob(store.db, claimed?.id ?? 0))?.state, 'running');
      assert.equal(next.state, 'pending');
    });

    it('runs the requests of one key one after another, taking back a dead node’s job before the newer one', async () => {
      const old = await enqueueJob(store.db, { kind: 'serial', key: 'serial-1', payload: 1, runAt: T, deadlineAt: T + DAY }, T);
      await claimJobs(store.db, { node: 'dies', limit: 5, now: T, lockMs: 1_000, kinds: ['serial'] });
      const newer = await enqueueJob(store.db, { kind: 'serial', key: 'serial-1', payload: 2, runAt: T, deadlineAt: T + DAY }, T + 1);
      assert.deepEqual(await claimJobs(other.db, { node: 'n', limit: 5, now: T + 10, lockMs: 1_000, kinds: ['serial'] }), [], 'the newer waits while the older runs');
      const taken = await claimJobs(other.db, { node: 'n', limit: 5, now: T + 2_000, lockMs: 1_000, kinds: ['serial'] });
      assert.deepEqual(taken.map((j) => j.id), [old.id], 'the dead node’s job is taken back, not both at once');
      assert.equal(await completeJob(other.db, { id: old.id, node: 'n' }, T + 2_001), true);
      const next = await claimJobs(other.db, { node: 'n', limit: 5, now: T + 2_002, lockMs: 1_000, kinds: ['serial'] });
      assert.deepEqual(next.map((j) => j.id), [newer.id]);
    });

    it('gives each job to exactly one of many concurrent claims from two nodes', async () => {
      for (let i = 0; i < 200; i++) await enqueueJob(store.db, { kind: 'exclusive', key: `ex-${i}`, payload: i, runAt: T, deadlineAt: T + DAY }, T);
      const seen: number[] = [];
      for (;;) {
        const rounds = await Promise.all(
          Array.from({ length: 10 }, (_, i) => claimJobs(i % 2 ? other.db : store.db, { node: `node-${i % 2}`, limit: 15, now: T, lockMs: 60_000, kinds: ['exclusive'] })),
        );
        const ids = rounds.flat().map((job) => job.id);
        if (ids.length === 0) break;
        seen.push(...ids);
      }
      assert.equal(seen.length, 200);
      assert.equal(new Set(seen).size, 200, 'no job was claimed twice');
    });

    it('claims only due jobs of the asked kinds, oldest first', async () => {
      await enqueueJob(store.db, { kind: 'due', key: 'due-late', payload: 0, runAt: T + 2_000, deadlineAt: T + DAY }, T);
      await enqueueJob(store.db, { kind: 'due', key: 'due-b', payload: 0, runAt: T + 500, deadlineAt: T + DAY }, T);
      await enqueueJob(store.db, { kind: 'due', key: 'due-a', payload: 0, runAt: T + 100, deadlineAt: T + DAY }, T);
      await enqueueJob(store.db, { kind: 'not-mine', key: 'nm', payload: 0, runAt: T, deadlineAt: T + DAY }, T);
      const jobs = await claimJobs(store.db, { node: 'n', limit: 10, now: T + 1_000, lockMs: 1_000, kinds: ['due'] });
      assert.deepEqual(jobs.map((j) => j.key), ['due-a', 'due-b']);
      assert.ok(jobs.every((j) => j.state === 'running' && j.locked_by === 'n' && j.locked_until === T + 2_000 && j.tries === 1));
    });

    it('takes back a job whose node died once its lock has expired, and ignores the dead node afterwards', async () => {
      const job = await enqueueJob(store.db, { kind: 'dead', key: 'dead-1', payload: 0, runAt: T, deadlineAt: T + DAY }, T);
      assert.equal((await claimJobs(store.db, { node: 'dead', limit: 5, now: T, lockMs: 1_000, kinds: ['dead'] })).length, 1);
      assert.deepEqual(await claimJobs(other.db, { node: 'alive', limit: 5, now: T + 999, lockMs: 1_000, kinds: ['dead'] }), [], 'a live lock is respected');
      const [taken] = await claimJobs(other.db, { node: 'alive', limit: 5, now: T + 1_001, lockMs: 1_000, kinds: ['dead'] });
      assert.equal(taken?.id, job.id);
      assert.equal(taken?.locked_by, 'alive');
      assert.equal(taken?.tries, 2);
      assert.equal(await completeJob(store.db, { id: job.id, node: 'dead', result: 'late' }, T + 1_100), false, 'the dead node lost its lock');
      assert.equal(await completeJob(other.db, { id: job.id, node: 'alive', result: { ok: true } }, T + 1_200), true);
      const done = await getJob(store.db, job.id);
      assert.equal(done?.state, 'done');
      assert.equal(done?.result, '{"ok":true}');
      assert.equal(done?.finished_at, T + 1_200);
      assert.equal(done?.locked_by, null);
    });

    it('puts a retried job back to pending with its error, and a handed-back one without counting the try', async () => {
      const job = await enqueueJob(store.db, { kind: 'retry', key: 'retry-1', payload: 0, runAt: T, deadlineAt: T + DAY }, T);
      await claimJobs(store.db, { node: 'n', limit: 1, now: T, lockMs: 60_000, kinds: ['retry'] });
      assert.deepEqual(await retryJob(store.db, { id: job.id, node: 'someone-else', runAt: T + 5_000, error: 'x' }, T), { outcome: 'lock_lost', jobId: job.id });
      assert.deepEqual(await retryJob(store.db, { id: job.id, node: 'n', runAt: T + 5_000, error: 'LMS answered 500' }, T + 10), { outcome: 'requeued', jobId: job.id });
      let row = await getJob(store.db, job.id);
      assert.deepEqual([row?.state, row?.run_at, row?.tries, row?.last_error, row?.locked_by], ['pending', T + 5_000, 1, 'LMS answered 500', null]);
      await claimJobs(store.db, { node: 'n', limit: 1, now: T + 5_000, lockMs: 60_000, kinds: ['retry'] });
      assert.equal((await releaseJob(store.db, { id: job.id, node: 'n' }, T + 5_001)).outcome, 'requeued');
      row = await getJob(store.db, job.id);
      assert.deepEqual([row?.state, row?.run_at, row?.tries, row?.last_error], ['pending', T + 5_000, 1, 'LMS answered 500']);
    });

    it('coalesces a retry into a newer pending job with the same key instead of breaking the unique index', async () => {
      const old = await enqueueJob(store.db, { kind: 'merge', key: 'merge-1', payload: { score: 0.5 }, runAt: T, deadlineAt: T + DAY }, T);
      await claimJobs(store.db, { node: 'n', limit: 1, now: T, lockMs: 60_000, kinds: ['merge'] });
      const newer = await enqueueJob(store.db, { kind: 'merge', key: 'merge-1', payload: { score: 0.9 }, runAt: T + 50, deadlineAt: T + 2 * DAY }, T + 10);
      const outcome = await retryJob(store.db, { id: old.id, node: 'n', runAt: T + 5_000, error: 'timed out' }, T + 20);
      assert.deepEqual(outcome, { outcome: 'coalesced', jobId: newer.id });
      const oldRow = await getJob(store.db, old.id);
      assert.equal(oldRow?.state, 'cancelled');
      assert.deepEqual(JSON.parse(oldRow?.result ?? ''), { supersededBy: newer.id });
      const rows = await pendingWithKey('merge-1');
      assert.equal(rows.length, 1);
      const row = rows[0];
      assert.deepEqual(JSON.parse(row?.payload ?? ''), { score: 0.9 }, 'the newer grade is the one that will be sent');
      assert.equal(row?.run_at, T + 50, 'and it is not delayed by the older job’s backoff');
      assert.equal(row?.deadline_at, T + 2 * DAY);
      assert.equal(row?.tries, 1, 'the tries carry over, so backoff toward a failing LMS goes on');
      assert.equal(row?.last_error, 'timed out');
    });

    it('never leaves two pending jobs with one key when retries race with enqueues from another node', async () => {
      for (let round = 0; round < 15; round++) {
        const key = `race-retry-${round}`;
        const job = await enqueueJob(store.db, { kind: key, key, payload: 'old', runAt: T, deadlineAt: T + DAY }, T);
        await claimJobs(store.db, { node: 'n', limit: 1, now: T, lockMs: 60_000, kinds: [key] });
        const [outcome] = await Promise.all([
          retryJob(store.db, { id: job.id, node: 'n', runAt: T + 1_000, error: 'e' }, T),
          ...Array.from({ length: 4 }, (_, i) => enqueueJob(other.db, { kind: key, key, payload: `new-${i}`, runAt: T, deadlineAt: T + DAY }, T)),
        ]);
        assert.notEqual((outcome as { outcome: string }).outcome, 'lock_lost');
        assert.equal((await pendingWithKey(key)).length, 1);
      }
    });

    it('cancels pending and running jobs only, and lists a resource’s jobs newest first', async () => {
      const a = await enqueueJob(store.db, { kind: 'list', key: 'list-a', payload: 0, runAt: T, deadlineAt: T + DAY, resourceId }, T + 1);
      const b = await enqueueJob(store.db, { kind: 'list', key: 'list-b', payload: 0, runAt: T, deadlineAt: T + DAY, resourceId }, T + 2);
      assert.equal(await cancelJob(store.db, a.id, T + 3), true);
      assert.equal(await cancelJob(store.db, a.id, T + 4), false, 'already cancelled');
      const listed = await listJobs(store.db, { resourceId, limit: 2 });
      assert.deepEqual(listed.map((j) => j.id), [b.id, a.id]);
      assert.equal(listed[1]?.state, 'cancelled');
      assert.equal(listed[1]?.finished_at, T + 3);
    });
  });
}
