import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { claimJobs, orderedPlans, pendingClaim } from '../../src/store/repositories/job-claims.js';
import type { JobState } from '../../src/store/tables/jobs.js';
import { createTestStore, databaseKinds, type TestStore } from '../helpers/test-store.js';

const T = 1_700_000_000_000;
const KINDS = ['grade-passback', 'report-all'];

interface PlanNode {
  'Node Type': string;
  'Index Name'?: string;
  Plans?: PlanNode[];
}

function nodes(plan: PlanNode): PlanNode[] {
  return [plan, ...(plan.Plans ?? []).flatMap(nodes)];
}

// Plans are PostgreSQL's alone: SQLite walks the index in order whatever it knows.
for (const kind of databaseKinds().filter((k) => k === 'postgres')) {
  describe(`job claims on ${kind} with stale statistics`, () => {
    let store: TestStore;
    const options = { node: 'n1', now: T, lockMs: 60_000, kinds: KINDS, limit: 4 };

    before(async () => {
      store = await createTestStore(kind);
      const job = (i: number, state: JobState, runAt: number) => ({
        kind: 'grade-passback',
        key: `grade:1:${i}`,
        payload: '{}',
        state,
        tries: 0,
        run_at: runAt,
        deadline_at: T + 3600_000,
        resource_id: null,
        created_at: T,
        updated_at: T,
      });
      // The statistics see a table of finished jobs; then a burst queues 3,000 due ones, as a
      // cohort's grade sends do, before autovacuum looks again.
      await store.db.insertInto('jobs').values(Array.from({ length: 50 }, (_, i) => job(100_000 + i, 'done', T - 60_000))).execute();
      await sql`analyze jobs`.execute(store.db);
      for (let part = 0; part < 6; part++) {
        await store.db
          .insertInto('jobs')
          .values(Array.from({ length: 500 }, (_, i) => job(part * 500 + i, 'pending', T - 10_000 + part * 500 + i)))
          .execute();
      }
      // A running job holds back the pending one with its key (the earliest due).
      await store.db.insertInto('jobs').values({ ...job(0, 'running', T - 20_000), locked_by: 'n2', locked_until: T + 60_000 }).execute();
    });
    after(async () => {
      await store.close();
    });

    async function plan(ordered: boolean): Promise<PlanNode[]> {
      return store.db
        .transaction()
        .execute(async (trx) => {
          if (ordered) await orderedPlans(trx);
          const compiled = pendingClaim(trx, options, options.limit).compile();
          const result = await sql<{ 'QUERY PLAN': Array<{ Plan: PlanNode }> }>`explain (format json) ${sql.raw(compiled.sql.replace(/\$(\d+)/g, (_, n: string) => sql.lit(compiled.parameters[Number(n) - 1]).compile(trx).sql))}`.execute(trx);
          const root = result.rows[0]?.['QUERY PLAN'][0]?.Plan;
          assert.ok(root);
          return nodes(root);
        });
    }

    it('without help, the planner believes few jobs due and sorts them all', async () => {
      const types = (await plan(false)).map((n) => n['Node Type']);
      assert.ok(types.includes('Sort'), `expected a sort under stale statistics, got ${types.join(', ')}`);
    });

    it('a claim reads the due-jobs index in order and stops at its limit: no sort, no bitmap scan', async () => {
      const found = await plan(true);
      const types = found.map((n) => n['Node Type']);
      assert.ok(!types.includes('Sort'), types.join(', '));
      assert.ok(!types.some((t) => t.startsWith('Bitmap')), types.join(', '));
      assert.ok(found.some((n) => n['Index Name'] === 'jobs_due_order'), 'walks jobs_due_order');
      assert.ok(found.some((n) => n['Index Name'] === 'jobs_running_key'), 'checks running keys through their index');
    });

    it('claims the earliest due jobs whose key is not running', async () => {
      const claimed = await claimJobs(store.db, { ...options, limit: 3 });
      assert.deepEqual(
        claimed.map((j) => j.key),
        ['grade:1:1', 'grade:1:2', 'grade:1:3'],
      );
    });
  });
}
