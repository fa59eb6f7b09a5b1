import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { effectiveAccess, type AccessChange, type EffectiveAccess } from '../../src/domain/access-change.js';
import { canResume, canReview, canStartAttempt, countsAsComplete, type AttemptFacts } from '../../src/domain/attempt-rules.js';
import { DEFAULT_SETTINGS, type ResourceSettings } from '../../src/domain/resource-settings.js';

const T = Date.UTC(2025, 0, 1);
const H = 3_600_000;

const OPEN: EffectiveAccess = { availableFrom: null, availableUntil: null, dueAt: null, maxAttempts: 0, extraAttempts: 0, duration: { mode: 'none' }, changeIds: [] };
const WINDOW: EffectiveAccess = { ...OPEN, availableFrom: T, availableUntil: T + 10 * H };
const WRAPPED: EffectiveAccess = { ...OPEN, availableFrom: T + 20 * H, availableUntil: T + 10 * H };

function attempt(id: number, over: Partial<AttemptFacts> = {}): AttemptFacts {
  return { id, startedAt: T + id, endedAt: T + id + 1, completionStatus: 'completed', scoreScaled: null, scoreRaw: null, scoreMax: null, ...over };
}
const ended = (n: number): AttemptFacts[] => Array.from({ length: n }, (_, i) => attempt(i + 1));
const inProgress = (id: number): AttemptFacts => attempt(id, { endedAt: null, completionStatus: 'incomplete' });

describe('attempt rules: starting', () => {
  const cases: Array<{ name: string; access: EffectiveAccess; attempts: AttemptFacts[]; now: number; allowed: boolean; reason?: RegExp }> = [
    { name: 'first attempt, always available', access: OPEN, attempts: [], now: T, allowed: true },
    { name: 'before the window', access: WINDOW, attempts: [], now: T - 1, allowed: false, reason: /not available/ },
    { name: 'inside the window', access: WINDOW, attempts: [], now: T + H, allowed: true },
    { name: 'after the window', access: WINDOW, attempts: [], now: T + 10 * H, allowed: false, reason: /no longer available/ },
    { name: 'in the gap of a wrapped window', access: WRAPPED, attempts: [], now: T + 15 * H, allowed: false, reason: /not available at the moment/ },
    { name: 'after a wrapped window re-opens', access: WRAPPED, attempts: [], now: T + 20 * H, allowed: true },
    { name: 'an open attempt must be continued', access: OPEN, attempts: [attempt(1), inProgress(2)], now: T, allowed: false, reason: /in progress/ },
    { name: 'unlimited with many ended attempts', access: OPEN, attempts: ended(50), now: T, allowed: true },
    { name: 'limit 2 with 1 used', access: { ...OPEN, maxAttempts: 2 }, attempts: ended(1), now: T, allowed: true },
    { name: 'limit 2 with 2 used', access: { ...OPEN, maxAttempts: 2 }, attempts: ended(2), now: T, allowed: false, reason: /all 2/ },
    { name: 'limit 2 plus one token with 2 used', access: { ...OPEN, maxAttempts: 2, extraAttempts: 1 }, attempts: ended(2), now: T, allowed: true },
    { name: 'limit 2 plus one token with 3 used', access: { ...OPEN, maxAttempts: 2, extraAttempts: 1 }, attempts: ended(3), now: T, allowed: false, reason: /all 3/ },
    { name: 'attempts started with a since-revoked token still count', access: { ...OPEN, maxAttempts: 1 }, attempts: ended(2), now: T, allowed: false },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const v = canStartAttempt(c.access, c.attempts, c.now);
      assert.equal(v.allowed, c.allowed);
      if (!v.allowed && c.reason) assert.match(v.reason, c.reason);
    });
  }
});

describe('attempt rules: maximum attempts from resource, access changes and tokens', () => {
  const ALICE = { username: 'alice', email: null };
  const change = (id: number, maxAttempts: number | null, target = 'alice'): AccessChange => ({
    id, createdAt: T + id, description: '', availableFrom: null, availableUntil: null, extendDeadlineMinutes: null,
    maxAttempts, duration: { mode: 'none' }, targets: [{ kind: 'username', value: target }],
  });
  // `canStart` lists the number of ended attempts already taken and whether one more may start.
  const cases: Array<{ name: string; resource: number; changes: AccessChange[]; tokens: number; canStart: Array<[number, boolean]> }> = [
    { name: 'resource 0, no change', resource: 0, changes: [], tokens: 0, canStart: [[0, true], [20, true]] },
    { name: 'resource 1, no change', resource: 1, changes: [], tokens: 0, canStart: [[0, true], [1, false]] },
    { name: 'resource 0, change 2: unlimited stays', resource: 0, changes: [change(1, 2)], tokens: 0, canStart: [[2, true], [20, true]] },
    { name: 'resource 2, change 0: unlimited', resource: 2, changes: [change(1, 0)], tokens: 0, canStart: [[2, true], [20, true]] },
    { name: 'resource 2, change 4 (greater)', resource: 2, changes: [change(1, 4)], tokens: 0, canStart: [[3, true], [4, false]] },
    { name: 'resource 4, change 2 (smaller)', resource: 4, changes: [change(1, 2)], tokens: 0, canStart: [[3, true], [4, false]] },
    { name: 'resource 1, changes 3 and 2', resource: 1, changes: [change(1, 3), change(2, 2)], tokens: 0, canStart: [[2, true], [3, false]] },
    { name: 'resource 1, change 3 for someone else', resource: 1, changes: [change(1, 3, 'bob')], tokens: 0, canStart: [[1, false]] },
    { name: 'resource 1, one token', resource: 1, changes: [], tokens: 1, canStart: [[1, true], [2, false]] },
    { name: 'resource 0, tokens do not limit', resource: 0, changes: [], tokens: 2, canStart: [[10, true]] },
    { name: 'resource 1, change 3, two tokens', resource: 1, changes: [change(1, 3)], tokens: 2, canStart: [[4, true], [5, false]] },
    { name: 'resource 2, change 0, one token', resource: 2, changes: [change(1, 0)], tokens: 1, canStart: [[30, true]] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const settings: ResourceSettings = { ...DEFAULT_SETTINGS, maxAttempts: c.resource };
      const access = effectiveAccess(settings, c.changes, ALICE, c.tokens);
      for (const [used, allowed] of c.canStart) {
        assert.equal(canStartAttempt(access, ended(used), T).allowed, allowed, `${used} used`);
      }
    });
  }
});

describe('attempt rules: resuming', () => {
  const cases: Array<{ name: string; access: EffectiveAccess; attempt: AttemptFacts; now: number; allowed: boolean }> = [
    { name: 'open attempt while available', access: WINDOW, attempt: inProgress(1), now: T + H, allowed: true },
    { name: 'open attempt after the window closed', access: WINDOW, attempt: inProgress(1), now: T + 10 * H, allowed: false },
    { name: 'open attempt in a wrapped gap', access: WRAPPED, attempt: inProgress(1), now: T + 12 * H, allowed: false },
    { name: 'ended attempt', access: OPEN, attempt: attempt(1), now: T, allowed: false },
  ];
  for (const c of cases) {
    it(c.name, () => assert.equal(canResume(c.access, c.attempt, c.now).allowed, c.allowed));
  }
});

describe('attempt rules: reviewing', () => {
  const noDate = DEFAULT_SETTINGS;
  const fromT = { ...DEFAULT_SETTINGS, reviewFrom: T + 5 * H };
  const cases: Array<{ name: string; settings: ResourceSettings; attempt: AttemptFacts; now: number; role: 'student' | 'instructor'; access?: EffectiveAccess; allowed: boolean }> = [
    { name: 'instructor, open attempt, before the review date', settings: fromT, attempt: inProgress(1), now: T, role: 'instructor', allowed: true },
    { name: 'student, ended attempt, no review date', settings: noDate, attempt: attempt(1), now: T, role: 'student', allowed: true },
    { name: 'student, open attempt', settings: noDate, attempt: inProgress(1), now: T, role: 'student', allowed: false },
    { name: 'student, open attempt that says completed', settings: noDate, attempt: attempt(1, { endedAt: null }), now: T, role: 'student', allowed: true },
    { name: 'student, ended attempt before the review date', settings: fromT, attempt: attempt(1), now: T + 5 * H - 1, role: 'student', allowed: false },
    { name: 'student, ended attempt at the review date', settings: fromT, attempt: attempt(1), now: T + 5 * H, role: 'student', allowed: true },
    { name: 'student, open attempt after availability ended', settings: noDate, attempt: inProgress(1), now: T + 10 * H, role: 'student', access: WINDOW, allowed: true },
    { name: 'student, open attempt while still available', settings: noDate, attempt: inProgress(1), now: T + H, role: 'student', access: WINDOW, allowed: false },
  ];
  for (const c of cases) {
    it(c.name, () => assert.equal(canReview(c.settings, c.attempt, c.now, c.role, c.access).allowed, c.allowed));
  }
});

describe('attempt rules: counting as complete', () => {
  const cases: Array<{ name: string; attempt: AttemptFacts; access: EffectiveAccess; now: number; complete: boolean }> = [
    { name: 'ended', attempt: attempt(1, { completionStatus: 'incomplete' }), access: OPEN, now: T, complete: true },
    { name: 'open but completed', attempt: attempt(1, { endedAt: null }), access: OPEN, now: T, complete: true },
    { name: 'open and incomplete, still available', attempt: inProgress(1), access: WINDOW, now: T + H, complete: false },
    { name: 'open and incomplete, availability ended', attempt: inProgress(1), access: WINDOW, now: T + 10 * H, complete: true },
    { name: 'open and incomplete, in a wrapped gap (re-opens later)', attempt: inProgress(1), access: WRAPPED, now: T + 15 * H, complete: false },
    { name: 'open and incomplete, never closing', attempt: inProgress(1), access: OPEN, now: T + 1000 * H, complete: false },
  ];
  for (const c of cases) {
    it(c.name, () => assert.equal(countsAsComplete(c.attempt, c.access, c.now), c.complete));
  }
});
