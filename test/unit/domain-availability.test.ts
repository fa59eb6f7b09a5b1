import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { availabilityEnded, isAvailable, nextAvailabilityChange, type AvailabilityWindow } from '../../src/domain/availability.js';

const T = Date.UTC(2025, 0, 1);
const H = 3_600_000;

interface Case {
  name: string;
  w: AvailabilityWindow;
  now: number;
  available: boolean;
  next: number | null;
  ended: boolean;
}

const none = { availableFrom: null, availableUntil: null };
const onlyFrom = { availableFrom: T + 10 * H, availableUntil: null };
const onlyUntil = { availableFrom: null, availableUntil: T + 10 * H };
const normal = { availableFrom: T + 10 * H, availableUntil: T + 20 * H };
const wrapped = { availableFrom: T + 20 * H, availableUntil: T + 10 * H };
const empty = { availableFrom: T + 10 * H, availableUntil: T + 10 * H };

const cases: Case[] = [
  { name: 'none set: available in the past', w: none, now: 0, available: true, next: null, ended: false },
  { name: 'none set: available far ahead', w: none, now: T + 1000 * H, available: true, next: null, ended: false },
  { name: 'only from: before it', w: onlyFrom, now: T, available: false, next: T + 10 * H, ended: false },
  { name: 'only from: one ms before it', w: onlyFrom, now: T + 10 * H - 1, available: false, next: T + 10 * H, ended: false },
  { name: 'only from: exactly at it', w: onlyFrom, now: T + 10 * H, available: true, next: null, ended: false },
  { name: 'only from: after it', w: onlyFrom, now: T + 30 * H, available: true, next: null, ended: false },
  { name: 'only until: before it', w: onlyUntil, now: T, available: true, next: T + 10 * H, ended: false },
  { name: 'only until: one ms before it', w: onlyUntil, now: T + 10 * H - 1, available: true, next: T + 10 * H, ended: false },
  { name: 'only until: exactly at it', w: onlyUntil, now: T + 10 * H, available: false, next: null, ended: true },
  { name: 'only until: after it', w: onlyUntil, now: T + 30 * H, available: false, next: null, ended: true },
  { name: 'normal window: before from', w: normal, now: T, available: false, next: T + 10 * H, ended: false },
  { name: 'normal window: exactly at from', w: normal, now: T + 10 * H, available: true, next: T + 20 * H, ended: false },
  { name: 'normal window: inside', w: normal, now: T + 15 * H, available: true, next: T + 20 * H, ended: false },
  { name: 'normal window: one ms before until', w: normal, now: T + 20 * H - 1, available: true, next: T + 20 * H, ended: false },
  { name: 'normal window: exactly at until', w: normal, now: T + 20 * H, available: false, next: null, ended: true },
  { name: 'normal window: after until', w: normal, now: T + 30 * H, available: false, next: null, ended: true },
  { name: 'wrapped window: before until', w: wrapped, now: T, available: true, next: T + 10 * H, ended: false },
  { name: 'wrapped window: exactly at until', w: wrapped, now: T + 10 * H, available: false, next: T + 20 * H, ended: false },
  { name: 'wrapped window: in the gap', w: wrapped, now: T + 15 * H, available: false, next: T + 20 * H, ended: false },
  { name: 'wrapped window: one ms before from', w: wrapped, now: T + 20 * H - 1, available: false, next: T + 20 * H, ended: false },
  { name: 'wrapped window: exactly at from', w: wrapped, now: T + 20 * H, available: true, next: null, ended: false },
  { name: 'wrapped window: after from', w: wrapped, now: T + 30 * H, available: true, next: null, ended: false },
  { name: 'from equals until: before', w: empty, now: T, available: false, next: null, ended: false },
  { name: 'from equals until: at it', w: empty, now: T + 10 * H, available: false, next: null, ended: true },
];

describe('availability', () => {
  for (const c of cases) {
    it(c.name, () => {
      assert.equal(isAvailable(c.w, c.now), c.available, 'isAvailable');
      assert.equal(nextAvailabilityChange(c.w, c.now), c.next, 'nextAvailabilityChange');
      assert.equal(availabilityEnded(c.w, c.now), c.ended, 'availabilityEnded');
    });
  }

  it('the next change really flips availability, for every case', () => {
    for (const c of cases) {
      const next = nextAvailabilityChange(c.w, c.now);
      if (next === null) continue;
      assert.equal(isAvailable(c.w, next - 1), c.available, c.name);
      assert.equal(isAvailable(c.w, next), !c.available, c.name);
    }
  });
});
