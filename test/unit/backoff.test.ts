import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RETRY_CAP_MS, nextRunOrGiveUp, retryDelayMs } from '../../src/jobs/backoff.js';

const S = 1000;
const MIN = 60 * S;
const H = 60 * MIN;

describe('retry backoff', () => {
  // [tries, random, expected delay]: the ceiling is 5 s doubling per try, capped at 1 h; half of it is fixed.
  const DELAYS: Array<[number, number, number]> = [
    [1, 0, 2.5 * S],
    [1, 0.5, 3.75 * S],
    [1, 0.999999, 5 * S],
    [2, 0, 5 * S],
    [2, 0.5, 7.5 * S],
    [3, 0, 10 * S],
    [4, 0, 20 * S],
    [5, 0, 40 * S],
    [8, 0, 320 * S],
    [10, 0, 1280 * S],
    [10, 0.5, 1920 * S],
    [11, 0, 0.5 * H],
    [11, 0.5, 0.75 * H],
    [12, 0, 0.5 * H],
    [50, 0.75, 0.875 * H],
    [10_000, 0.5, 0.75 * H],
    // Out-of-range inputs are clamped, never produce a negative or endless wait.
    [0, 0, 2.5 * S],
    [-3, 0, 2.5 * S],
    [1, 7, 5 * S],
    [1, -1, 2.5 * S],
  ];
  for (const [tries, random, expected] of DELAYS) {
    it(`after try ${tries} with random ${random} waits ${expected} ms`, () => {
      assert.equal(retryDelayMs(tries, random), expected);
    });
  }

  it('never waits less than the previous try’s fixed part, nor more than an hour', () => {
    for (let tries = 1; tries < 40; tries++) {
      assert.ok(retryDelayMs(tries + 1, 0) >= retryDelayMs(tries, 0));
      assert.ok(retryDelayMs(tries, 0.999999) <= RETRY_CAP_MS);
    }
  });
});

describe('next run or give up', () => {
  const now = 1_000_000;
  const CASES: Array<[string, number, number, number, number, ReturnType<typeof nextRunOrGiveUp>]> = [
    ['retries after the delay, well before the deadline', 1, now + 7 * 24 * H, 0, 0, { retry: true, runAt: now + 2.5 * S }],
    ['a long delay is cut to the deadline: the last try happens at it', 12, now + 10 * MIN, 0, 0, { retry: true, runAt: now + 10 * MIN }],
    ['gives up at the deadline', 3, now, 0.5, 0, { retry: false }],
    ['gives up after the deadline', 1, now - 1, 0.5, 0, { retry: false }],
    ['a target’s Retry-After longer than the backoff is honoured', 1, now + H, 0, 30 * S, { retry: true, runAt: now + 30 * S }],
    ['a shorter Retry-After does not shorten the backoff', 4, now + H, 0, 1 * S, { retry: true, runAt: now + 20 * S }],
    ['Retry-After past the deadline still tries once at the deadline', 1, now + 10 * S, 0, MIN, { retry: true, runAt: now + 10 * S }],
  ];
  for (const [name, tries, deadline, random, minDelay, expected] of CASES) {
    it(name, () => assert.deepEqual(nextRunOrGiveUp(tries, now, deadline, random, minDelay), expected));
  }
});
