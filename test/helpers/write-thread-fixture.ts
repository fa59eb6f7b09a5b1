import { after, before } from 'node:test';
import assert from 'node:assert/strict';
import type { Kysely } from 'kysely';
import type { AttemptWriteThread } from '../../src/commands/attempt-write-thread.js';
import type { IncomingBatch } from '../../src/commands/save-attempt-batches.js';
import type { Database } from '../../src/store/schema.js';
import { AttemptDriver } from './graded-launch.js';
import { fixturePackage, launchAs, newConsumer, uploadAs } from './launch.js';
import { createTestApp, type TestApp } from './test-app.js';

/** One student's open attempt on a fresh app, for driving the attempt writer thread directly. */
export interface WriteThreadFixture {
  t: TestApp;
  attemptId: number;
  /** A student batch of that attempt's open session. */
  batch(seq: number, elements: Array<{ k: string; v: string }>): IncomingBatch;
  /** The attempt's current value of `key`, read through `db` (the app's connection by default). */
  storedValue(key: string, db?: Kysely<Database>): Promise<string | undefined>;
}

/** Call inside a `describe`: registers the hooks that build the app and the attempt, and close it. */
export function writeThreadFixture(kind: 'sqlite' | 'postgres'): WriteThreadFixture {
  let sessionId = '';
  const fixture: WriteThreadFixture = {
    t: undefined as unknown as TestApp,
    attemptId: 0,
    batch: (seq, elements) => ({
      attemptId: fixture.attemptId,
      sessionId,
      seq,
      elements: elements.map((e) => ({ ...e, t: null })),
      terminate: false,
      writerRole: 'student',
    }),
    storedValue: async (key, db = fixture.t.store.db) =>
      (await db.selectFrom('attempt_values').select('value').where('attempt_id', '=', fixture.attemptId).where('key', '=', key).executeTakeFirst())?.value,
  };
  before(async () => {
    const t = await createTestApp(kind);
    fixture.t = t;
    const lms = await newConsumer(t);
    const teacher = await launchAs(t, lms, { userId: 'teacher', role: 'Instructor' });
    assert.equal((await uploadAs(t, teacher, fixturePackage('RuntimeBasicCalls_SCORM20043rdEdition.zip'))).statusCode, 201);
    ({ attemptId: fixture.attemptId, sessionId } = await AttemptDriver.start(t, await launchAs(t, lms, { userId: 'alice', role: 'Learner' })));
  });
  after(async () => fixture.t.close());
  return fixture;
}

/**
 * The first group a thread stores (seq 1: a score and cmi.location 'q1'), sent twice: both
 * acknowledged, applied once, and the state derived from it. Read through the app's
 * connection, so the thread's commit must be visible to it.
 */
export async function assertStoresAGroupOnce(f: WriteThreadFixture, thread: AttemptWriteThread): Promise<void> {
  const group = [f.batch(1, [{ k: 'cmi.score.raw', v: '3' }, { k: 'cmi.score.max', v: '4' }, { k: 'cmi.location', v: 'q1' }])];
  assert.deepEqual(await thread.save(group, f.t.clock.now), [{ status: 'acked', seq: 1, ended: false }]);
  assert.deepEqual(await thread.save(group, f.t.clock.now), [{ status: 'acked', seq: 1, ended: false }]);
  assert.equal(await f.storedValue('cmi.location'), 'q1');
  const row = await f.t.store.db.selectFrom('attempts').select(['element_count', 'score_raw', 'score_scaled']).where('id', '=', f.attemptId).executeTakeFirstOrThrow();
  assert.equal(Number(row.element_count), 3);
  assert.equal(row.score_raw, 3);
  assert.equal(row.score_scaled, 0.75);
}
