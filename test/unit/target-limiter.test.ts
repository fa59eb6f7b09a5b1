import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { TargetLimiter } from '../../src/jobs/target-limiter.js';

describe('target limiter', () => {
  it('gives at most the limit per target, independently per target', () => {
    const limiter = new TargetLimiter({ limit: 2 });
    const a1 = limiter.tryAcquire('https://a.example');
    const a2 = limiter.tryAcquire('https://a.example');
    assert.ok(a1 && a2);
    assert.equal(limiter.tryAcquire('https://a.example'), null);
    assert.ok(limiter.tryAcquire('https://b.example'), 'another target is not held back');
    a1();
    a1();
    assert.equal(limiter.active('https://a.example'), 1, 'releasing twice gives back one slot');
    assert.ok(limiter.tryAcquire('https://a.example'));
  });

  it('honours a per-target limit', () => {
    const limiter = new TargetLimiter({ limit: 2, limitFor: (t) => (t === 'big' ? 3 : 2) });
    assert.ok(limiter.tryAcquire('big') && limiter.tryAcquire('big') && limiter.tryAcquire('big'));
    assert.equal(limiter.tryAcquire('big'), null);
  });

  it('hands a released slot to waiters in arrival order, never above the limit', async () => {
    const limiter = new TargetLimiter({ limit: 1 });
    const first = await limiter.acquire('t');
    const order: number[] = [];
    const second = limiter.acquire('t').then((release) => (order.push(2), release));
    const third = limiter.acquire('t').then((release) => (order.push(3), release));
    assert.equal(limiter.tryAcquire('t'), null, 'nobody slips in while others wait');
    first();
    (await second)();
    (await third)();
    assert.deepEqual(order, [2, 3]);
    assert.equal(limiter.active('t'), 0);
  });
});
