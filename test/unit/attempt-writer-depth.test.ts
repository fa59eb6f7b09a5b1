import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Kysely } from 'kysely';
import { AttemptWriter } from '../../src/commands/attempt-writer.js';
import type { BatchOutcome, IncomingBatch } from '../../src/commands/save-attempt-batches.js';
import type { Database } from '../../src/store/schema.js';

const batch = (attemptId: number, seq: number): IncomingBatch => ({ attemptId, sessionId: 'session-1', seq, elements: [], terminate: false, writerRole: 'student' });

/** A writer whose groups finish only when the test says so, recording each group it was given. */
function heldWriter(options: { depth?: number; maxBatches: number }) {
  const groups: Array<{ batches: IncomingBatch[]; finish: () => void }> = [];
  const writer = new AttemptWriter(null as unknown as Kysely<Database>, {
    ...options,
    pipelined: true,
    saveGroup: (batches) =>
      new Promise<BatchOutcome[]>((resolve) => {
        groups.push({ batches, finish: () => resolve(batches.map((b) => ({ status: 'acked', seq: b.seq, ended: false }))) });
      }),
  });
  return { writer, groups };
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

describe('attempt writer: groups in flight', () => {
  it('hands over a second full group while the first is being written, never a third', async () => {
    const { writer, groups } = heldWriter({ depth: 2, maxBatches: 3 });
    const acked = writer.submitAll(Array.from({ length: 10 }, (_, i) => batch(i + 1, 1)));
    await turn();
    assert.deepEqual(groups.map((g) => g.batches.length), [3, 3], 'two full groups in flight, the rest waits');
    groups[0]?.finish();
    await turn();
    assert.deepEqual(groups.map((g) => g.batches.length), [3, 3, 3]);
    groups[1]?.finish();
    groups[2]?.finish();
    await turn();
    assert.deepEqual(groups.map((g) => g.batches.length), [3, 3, 3, 1]);
    groups[3]?.finish();
    assert.equal((await acked).length, 10);
    // Taken in arrival order: the writer thread stores them in this order.
    assert.deepEqual(groups.flatMap((g) => g.batches.map((b) => b.attemptId)), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it('does not hand over a part-filled group while one is in flight: it gathers until the first commits', async () => {
    const { writer, groups } = heldWriter({ depth: 2, maxBatches: 100 });
    const first = writer.submit(batch(1, 1));
    await turn();
    const later = writer.submitAll([batch(2, 1), batch(3, 1)]);
    await turn();
    assert.equal(groups.length, 1);
    groups[0]?.finish();
    await first;
    await turn();
    assert.deepEqual(groups[1]?.batches.map((b) => b.attemptId), [2, 3]);
    groups[1]?.finish();
    await later;
  });

  it('keeps one group in flight by default', async () => {
    const { writer, groups } = heldWriter({ maxBatches: 2 });
    const acked = writer.submitAll(Array.from({ length: 6 }, (_, i) => batch(i + 1, 1)));
    await turn();
    assert.equal(groups.length, 1);
    for (let i = 0; i < 3; i++) {
      groups[i]?.finish();
      await turn();
    }
    assert.equal((await acked).length, 6);
    assert.equal(groups.length, 3);
  });
});
