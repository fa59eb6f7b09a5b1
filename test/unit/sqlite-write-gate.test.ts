import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SqliteWriteGate } from '../../src/store/sqlite-write-gate.js';

describe('SQLite write gate', () => {
  it('gives turns one at a time, first come first served', async () => {
    const gate = new SqliteWriteGate();
    const order: string[] = [];
    const first = await gate.acquire();
    const waiters = ['b', 'c', 'd'].map((name) => gate.acquire().then((release) => ({ name, release })));
    assert.equal(gate.queued, 3);
    order.push('a');
    first();
    for (const waiter of waiters) {
      const { name, release } = await waiter;
      order.push(name);
      assert.equal(gate.busy, true);
      release();
    }
    assert.deepEqual(order, ['a', 'b', 'c', 'd']);
    assert.equal(gate.busy, false);
    assert.equal(gate.queued, 0);
  });

  it('ignores a second release of the same turn', async () => {
    const gate = new SqliteWriteGate();
    const release = await gate.acquire();
    const next = gate.acquire();
    release();
    const nextRelease = await next;
    release();
    assert.equal(gate.busy, true, "the second holder's turn is not ended by the first holder's second release");
    nextRelease();
    assert.equal(gate.busy, false);
  });
});
