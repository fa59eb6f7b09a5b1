import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { retryDelayMs } from '../../src/jobs/backoff.js';
import type { JobHandler, JobHandlers } from '../../src/jobs/job-handler.js';
import { JobRunner, type JobRunnerOptions } from '../../src/jobs/job-runner.js';
import { type Store, openStore } from '../../src/store/database.js';
import { type EventHub, createLocalEventHub, createPostgresEventHub } from '../../src/store/event-hub.js';
import { claimJobs } from '../../src/store/repositories/job-claims.js';
import { cancelJob, enqueueJob, getJob } from '../../src/store/repositories/jobs.js';
import type { JobRow, JobState } from '../../src/store/tables/jobs.js';
import { createTestStore, databaseKinds, type TestStore } from '../helpers/test-store.js';

const T = 1_700_000_000_000;
const HOUR = 3600 * 1000;

/** Polls until `probe` gives a value; the time limit only turns a hang into a failure. */
async function waitFor<V>(what: string, probe: () => Promise<V | null | undefined | false>): Promise<V> {
  const giveUp = Date.now() + 15_000;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > giveUp) throw new Error(`gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function gate(): { open(): void; opened: Promise<void> } {
  let open = (): void => {};
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
}

for (const kind of databaseKinds()) {
  describe(`job runner on ${kind}`, () => {
    let store: TestStore;
    /** A second node's pool on PostgreSQL; SQLite is single-node, so its "second node" shares the store. */
    let other: Store;
    const clock = { now: T };
    const runners: JobRunner[] = [];
    const errors: string[] = [];
    before(async () => {
      store = await createTestStore(kind);
      other = store.databaseUrl ? await openStore({ databaseUrl: store.databaseUrl, dataDir: store.dataDir }) : store;
    });
    afterEach(async () => {
      await Promise.all(runners.splice(0).map((r) => r.stop()));
      assert.deepEqual(errors.splice(0), [], 'the runners logged no errors');
    });
    after(async () => {
      if (other !== store) await other.close();
      await store.close();
    });

    function runner(handlers: JobHandlers, options: Partial<JobRunnerOptions> = {}): JobRunner {
      const created = new JobRunner({
        db: store.db,
        node: `node-${runners.length}`,
        handlers,
        pollMs: 20,
        now: () => clock.now,
        random: () => 0.5,
        log: { warn: () => {}, error: (details, message) => errors.push(`${message}: ${String((details as { err?: unknown }).err)}`) },
        ...options,
      });
      runners.push(created);
      return created;
    }

    function enqueue(kindName: string, key: string, payload: unknown, extra: { runAt?: number; deadlineAt?: number } = {}): Promise<JobRow> {
      return enqueueJob(store.db, { kind: kindName, key, payload, runAt: extra.runAt ?? clock.now, deadlineAt: extra.deadlineAt ?? clock.now + 24 * HOUR }, clock.now);
    }

    async function countState(kindName: string, state: JobState): Promise<number> {
      const rows = await store.db.selectFrom('jobs').select('id').where('kind', '=', kindName).where('state', '=', state).execute();
      return rows.length;
    }

    it('runs each of 200 jobs exactly once when two nodes race for them', async () => {
      clock.now = T;
      const runs = new Map<number, number>();
      const byNode = new Map<string, number>();
      const handler = (node: string): JobHandler => ({
        run: async ({ job }) => {
          runs.set(job.id, (runs.get(job.id) ?? 0) + 1);
          byNode.set(node, (byNode.get(node) ?? 0) + 1);
          await new Promise((resolve) => setImmediate(resolve));
          return { status: 'done' };
        },
      });
      for (let i = 0; i < 200; i++) await enqueue('race', `race-${i}`, i);
      const a = runner({ race: handler('a') }, { node: 'a' });
      const b = runner({ race: handler('b') }, { node: 'b', db: other.db });
      a.start();
      b.start();
      await waitFor('all 200 done', async () => (await countState('race', 'done')) === 200);
      assert.equal(runs.size, 200);
      assert.deepEqual([...new Set(runs.values())], [1], 'no job ran twice');
      const tries = await store.db.selectFrom('jobs').select('tries').where('kind', '=', 'race').distinct().execute();
      assert.deepEqual(tries.map((r) => r.tries), [1]);
      assert.equal((byNode.get('a') ?? 0) + (byNode.get('b') ?? 0), 200);
    });

    it('takes back a job from a node that died holding it', async () => {
      clock.now = T + HOUR;
      const job = await enqueue('orphan', 'orphan-1', { n: 1 });
      await claimJobs(other.db, { node: 'dead', limit: 1, now: clock.now, lockMs: 1_000, kinds: ['orphan'] });
      clock.now += 1_001;
      const seen: number[] = [];
      runner({ orphan: { run: async ({ job: row }) => (seen.push(row.tries), { status: 'done', result: 'recovered' }) } }).start();
      const done = await waitFor('the orphan done', async () => ((await getJob(store.db, job.id))?.state === 'done' ? getJob(store.db, job.id) : null));
      assert.deepEqual(seen, [2], 'ran once more, as its second try');
      assert.equal(done?.result, '"recovered"');
    });

    it('retries with growing backoff until the deadline, then fails with the last error', async () => {
      clock.now = T + 2 * HOUR;
      const deadline = clock.now + HOUR;
      const job = await enqueue('flaky', 'flaky-1', null, { deadlineAt: deadline });
      const r = runner({ flaky: { run: async () => ({ status: 'retry', error: 'LMS answered 503', retryable: true }) } });
      r.start();
      const waits: number[] = [];
      for (let tries = 1; ; tries++) {
        const row = await waitFor(`try ${tries} recorded`, async () => {
          const current = await getJob(store.db, job.id);
          return current && current.tries === tries && current.state !== 'running' ? current : null;
        });
        if (row.state === 'failed') {
          assert.equal(row.last_error, 'LMS answered 503');
          assert.equal(clock.now, deadline, 'the last try was at the deadline');
          break;
        }
        assert.equal(row.state, 'pending');
        assert.ok(row.run_at <= deadline, 'never scheduled past the deadline');
        const expected = Math.min(retryDelayMs(tries, 0.5), deadline - clock.now);
        waits.push(row.run_at - clock.now);
        assert.equal(row.run_at - clock.now, expected, `wait after try ${tries}`);
        clock.now = row.run_at;
        r.wake();
      }
      assert.ok(waits.length >= 5, `retried ${waits.length} times`);
      for (let i = 1; i < waits.length - 1; i++) assert.ok((waits[i] ?? 0) > (waits[i - 1] ?? 0), 'each wait is longer than the one before');
    });

    it('coalesces a retry into the newer request for the same key, which then runs', async () => {
      clock.now = T + 4 * HOUR;
      const sent: unknown[] = [];
      runner({
        grade: {
          run: async ({ payload }) => {
            sent.push(payload);
            if (sent.length > 1) return { status: 'done' };
            // While the first send fails, a newer grade arrives for the same student.
            await enqueue('grade', 'grade-u1', { score: 0.9 });
            return { status: 'retry', error: 'timed out', retryable: true };
          },
        },
      }).start();
      const first = await enqueue('grade', 'grade-u1', { score: 0.4 });
      await waitFor('the newer grade sent', async () => (await countState('grade', 'done')) === 1);
      assert.deepEqual(sent, [{ score: 0.4 }, { score: 0.9 }]);
      const old = await getJob(store.db, first.id);
      assert.equal(old?.state, 'cancelled');
      assert.equal(await countState('grade', 'pending'), 0, 'nothing older is left to send');
    });

    it('records results, progress, failures and thrown errors', async () => {
      clock.now = T + 5 * HOUR;
      runner({
        outcome: {
          run: async ({ payload, setProgress }) => {
            if (payload === 'ok') {
              await setProgress({ done: 1, total: 2 });
              return { status: 'done', result: { sent: 2 } };
            }
            if (payload === 'rejected') return { status: 'failed', error: 'imsx_codeMajor failure: unknown sourcedid' };
            throw new Error('connection reset');
          },
        },
      }).start();
      const ok = await enqueue('outcome', 'o-ok', 'ok');
      const rejected = await enqueue('outcome', 'o-rejected', 'rejected');
      const thrown = await enqueue('outcome', 'o-thrown', 'throw');
      const read = (id: number) => waitFor(`job ${id} settled`, async () => {
        const row = await getJob(store.db, id);
        return row && row.state !== 'running' && row.tries > 0 ? row : null;
      });
      const [okRow, rejectedRow, thrownRow] = [await read(ok.id), await read(rejected.id), await read(thrown.id)];
      assert.deepEqual([okRow.state, okRow.result, okRow.progress], ['done', '{"sent":2}', '{"done":1,"total":2}']);
      assert.deepEqual([rejectedRow.state, rejectedRow.last_error, rejectedRow.tries], ['failed', 'imsx_codeMajor failure: unknown sourcedid', 1]);
      assert.deepEqual([thrownRow.state, thrownRow.last_error], ['pending', 'connection reset'], 'a thrown error is retried');
      assert.ok(thrownRow.run_at > clock.now);
    });

    it('stop() waits for a running handler and records its outcome', async () => {
      clock.now = T + 6 * HOUR;
      const started = gate();
      const release = gate();
      const r = runner({ slow: { run: async () => (started.open(), await release.opened, { status: 'done' }) } });
      r.start();
      const job = await enqueue('slow', 'slow-1', null);
      await started.opened;
      let stopped = false;
      const stopping = r.stop().then(() => (stopped = true));
      for (let i = 0; i < 5; i++) await new Promise((resolve) => setTimeout(resolve, 10));
      assert.equal(stopped, false, 'still waiting for the handler');
      release.open();
      await stopping;
      assert.equal((await getJob(store.db, job.id))?.state, 'done');
    });

    it('never runs more handlers for one target than its limit', async () => {
      clock.now = Date.now();
      let active = 0;
      let most = 0;
      const handler: JobHandler = {
        target: () => 'https://lms.example',
        run: async () => {
          most = Math.max(most, ++active);
          await new Promise((resolve) => setTimeout(resolve, 2));
          active--;
          return { status: 'done' };
        },
      };
      for (let i = 0; i < 30; i++) await enqueue('polite', `polite-${i}`, i);
      // The real clock: jobs handed back because the LMS was busy come due again a poll later.
      runner({ polite: handler }, { concurrency: 8, targetLimit: 2, now: Date.now }).start();
      await waitFor('all 30 done', async () => (await countState('polite', 'done')) === 30);
      assert.equal(most, 2, 'two at a time toward the LMS, though eight slots were free');
    });

    it('refills every slot that finished jobs freed, when they finish together while crowded', async () => {
      clock.now = Date.now();
      let active = 0;
      let release = gate();
      const handler: JobHandler = {
        target: () => 'https://lms.example',
        run: async () => {
          active++;
          await release.opened;
          active--;
          return { status: 'done' };
        },
      };
      for (let i = 0; i < 15; i++) await enqueue('refill', `refill-${i}`, i);
      // Six slots, three toward the LMS: the first claim takes six and hands three back (the
      // runner is then crowded and refills one slot per finished job). No poll within the
      // test: only the refills can start more work. Three finishing at once ask for three
      // refills while the first refill's claim runs.
      runner({ refill: handler }, { concurrency: 6, targetLimit: 3, pollMs: 60_000, now: Date.now }).start();
      try {
        await waitFor('three running', async () => active === 3);
        for (let round = 0; round < 2; round++) {
          const previous = release;
          release = gate();
          previous.open();
          await waitFor(`three running again (round ${round + 1})`, async () => active === 3);
        }
      } finally {
        // Let every handler end, so the runner can stop even when the check failed.
        release.open();
      }
    });

    it('does not let a busy target hold back the jobs of another', async () => {
      clock.now = Date.now();
      const release = gate();
      const handler: JobHandler = {
        target: (_job, payload) => (payload as { lms: string }).lms,
        run: async ({ payload }) => {
          if ((payload as { lms: string }).lms === 'slow') await release.opened;
          return { status: 'done' };
        },
      };
      for (let i = 0; i < 6; i++) await enqueue('mixed', `slow-${i}`, { lms: 'slow' }, { runAt: clock.now - 100 + i });
      const fast = await enqueue('mixed', 'fast-1', { lms: 'fast' });
      // The real clock: a job handed back comes due again a poll later, behind the ones already due.
      runner({ mixed: handler }, { concurrency: 3, targetLimit: 2, now: Date.now }).start();
      await waitFor('the other LMS’s job done', async () => (await getJob(store.db, fast.id))?.state === 'done');
      assert.equal(await countState('mixed', 'done'), 1, 'while the busy LMS’s jobs are still waiting');
      release.open();
      await waitFor('the rest done', async () => (await countState('mixed', 'done')) === 7);
      const tries = await store.db.selectFrom('jobs').select('tries').where('kind', '=', 'mixed').distinct().execute();
      assert.deepEqual(tries.map((r) => r.tries), [1], 'jobs handed back unrun did not count a try');
    });

    it('tells a handler when its job was cancelled under it', async () => {
      clock.now = T + 9 * HOUR;
      const started = gate();
      runner({ cancellable: { run: async ({ signal }) => (started.open(), await new Promise((resolve) => signal.addEventListener('abort', resolve)), { status: 'done' }) } }, { lockMs: 90 }).start();
      const job = await enqueue('cancellable', 'c-1', null);
      await started.opened;
      assert.equal(await cancelJob(store.db, job.id, clock.now), true);
      await waitFor('the runner to let go', async () => runners.every((r) => r.active === 0));
      assert.equal((await getJob(store.db, job.id))?.state, 'cancelled', 'the late outcome does not overwrite the cancel');
    });

    it('wakes at once when another node announces queued jobs', async () => {
      clock.now = T + 10 * HOUR;
      const hubs: EventHub[] = store.databaseUrl
        ? [await createPostgresEventHub(store.databaseUrl, () => {}), await createPostgresEventHub(store.databaseUrl, () => {})]
        : [createLocalEventHub()];
      try {
        const here = hubs[0] as EventHub;
        const there = hubs[1] ?? here;
        // Polls only once an hour: only the announcement can make it run the job.
        runner({ woken: { run: async () => ({ status: 'done' }) } }, { pollMs: HOUR, events: here }).start();
        await new Promise((resolve) => setTimeout(resolve, 50));
        const job = await enqueueJob(other.db, { kind: 'woken', key: 'w-1', payload: null, runAt: clock.now, deadlineAt: clock.now + HOUR }, clock.now);
        const elsewhere = new JobRunner({ db: other.db, node: 'no-handlers', handlers: {}, events: there });
        elsewhere.wake();
        await waitFor('the woken job done', async () => (await getJob(store.db, job.id))?.state === 'done');
        await elsewhere.stop();
      } finally {
        await Promise.all(runners.splice(0).map((r) => r.stop()));
        for (const hub of new Set(hubs)) await hub.close();
      }
    });
  });
}
