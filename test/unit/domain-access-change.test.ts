import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { appliesTo, effectiveAccess, type AccessChange, type EffectiveAccess, type Person } from '../../src/domain/access-change.js';
import { DEFAULT_SETTINGS, type ResourceSettings } from '../../src/domain/resource-settings.js';

const T = Date.UTC(2025, 0, 1);
const H = 3_600_000;
const MIN = 60_000;

const ALICE: Person = { username: 'alice', email: 'Alice@Example.org' };

function change(id: number, over: Partial<AccessChange> = {}): AccessChange {
  return {
    id,
    createdAt: T + id * MIN,
    description: `change ${id}`,
    availableFrom: null,
    availableUntil: null,
    extendDeadlineMinutes: null,
    maxAttempts: null,
    duration: { mode: 'none' },
    targets: [{ kind: 'username', value: 'alice' }],
    ...over,
  };
}

describe('access change: whom it applies to', () => {
  const cases: Array<{ name: string; targets: AccessChange['targets']; person: Person; applies: boolean }> = [
    { name: 'username matches exactly', targets: [{ kind: 'username', value: 'alice' }], person: ALICE, applies: true },
    { name: 'username matches after trimming both sides', targets: [{ kind: 'username', value: ' alice ' }], person: { username: 'alice\t', email: null }, applies: true },
    { name: 'username is case-sensitive', targets: [{ kind: 'username', value: 'Alice' }], person: ALICE, applies: false },
    { name: 'other username', targets: [{ kind: 'username', value: 'bob' }], person: ALICE, applies: false },
    { name: 'email matches case-insensitively', targets: [{ kind: 'email', value: 'alice@EXAMPLE.ORG' }], person: ALICE, applies: true },
    { name: 'email matches after trimming', targets: [{ kind: 'email', value: '  alice@example.org ' }], person: ALICE, applies: true },
    { name: 'other email', targets: [{ kind: 'email', value: 'bob@example.org' }], person: ALICE, applies: false },
    { name: 'an email target does not match a username', targets: [{ kind: 'email', value: 'alice' }], person: ALICE, applies: false },
    { name: 'a username target does not match an email', targets: [{ kind: 'username', value: 'Alice@Example.org' }], person: ALICE, applies: false },
    { name: 'one of several targets matches', targets: [{ kind: 'username', value: 'bob' }, { kind: 'email', value: 'ALICE@example.org' }], person: ALICE, applies: true },
    { name: 'no targets applies to nobody', targets: [], person: ALICE, applies: false },
    { name: 'a blank target never matches a missing username', targets: [{ kind: 'username', value: ' ' }], person: { username: null, email: null }, applies: false },
    { name: 'a blank email target never matches an empty email', targets: [{ kind: 'email', value: '' }], person: { username: 'x', email: '' }, applies: false },
    { name: 'a person without email is matched by username', targets: [{ kind: 'username', value: 'alice' }], person: { username: 'alice', email: null }, applies: true },
  ];
  for (const c of cases) {
    it(c.name, () => assert.equal(appliesTo(change(1, { targets: c.targets }), c.person), c.applies));
  }
});

const RESOURCE: ResourceSettings = { ...DEFAULT_SETTINGS, availableFrom: T, availableUntil: T + 10 * H, dueAt: T + 8 * H, maxAttempts: 2 };
const BOB_ONLY: AccessChange['targets'] = [{ kind: 'username', value: 'bob' }];

describe('access change: dates and duration (last-created wins)', () => {
  const cases: Array<{ name: string; settings?: ResourceSettings; changes: AccessChange[]; expect: Partial<EffectiveAccess> }> = [
    { name: 'no changes keep the resource', changes: [], expect: { availableFrom: T, availableUntil: T + 10 * H, dueAt: T + 8 * H, duration: { mode: 'none' }, changeIds: [] } },
    {
      name: 'a change for someone else is ignored',
      changes: [change(1, { availableUntil: T + 50 * H, duration: { mode: 'disable' }, maxAttempts: 9, targets: BOB_ONLY })],
      expect: { availableUntil: T + 10 * H, duration: { mode: 'none' }, maxAttempts: 2, changeIds: [] },
    },
    {
      name: 'new from and until replace the resource dates',
      changes: [change(1, { availableFrom: T + 1 * H, availableUntil: T + 20 * H })],
      expect: { availableFrom: T + 1 * H, availableUntil: T + 20 * H, dueAt: T + 8 * H, changeIds: [1] },
    },
    { name: 'a new until alone keeps the resource from', changes: [change(1, { availableUntil: T + 20 * H })], expect: { availableFrom: T, availableUntil: T + 20 * H } },
    { name: 'a new from alone keeps the resource until', changes: [change(1, { availableFrom: T - 5 * H })], expect: { availableFrom: T - 5 * H, availableUntil: T + 10 * H } },
    {
      name: 'an extension moves until and the due date',
      changes: [change(1, { extendDeadlineMinutes: 90 })],
      expect: { availableFrom: T, availableUntil: T + 10 * H + 90 * MIN, dueAt: T + 8 * H + 90 * MIN },
    },
    {
      name: 'an extension is added to the change’s own new until',
      changes: [change(1, { availableUntil: T + 20 * H, extendDeadlineMinutes: 30 })],
      expect: { availableUntil: T + 20 * H + 30 * MIN, dueAt: T + 8 * H + 30 * MIN },
    },
    {
      name: 'an extension with no until or due date set changes nothing',
      settings: { ...DEFAULT_SETTINGS },
      changes: [change(1, { extendDeadlineMinutes: 30 })],
      expect: { availableFrom: null, availableUntil: null, dueAt: null, changeIds: [1] },
    },
    {
      name: 'the last-created change wins for dates even when an older one is more generous',
      changes: [change(1, { availableUntil: T + 50 * H }), change(2, { availableUntil: T + 12 * H })],
      expect: { availableUntil: T + 12 * H, changeIds: [1, 2] },
    },
    {
      name: 'creation time, not list order, decides',
      changes: [change(2, { availableUntil: T + 12 * H }), change(1, { availableUntil: T + 50 * H })],
      expect: { availableUntil: T + 12 * H, changeIds: [1, 2] },
    },
    {
      name: 'the winner’s extension is added to the resource until, not to an older change’s until',
      changes: [change(1, { availableUntil: T + 50 * H }), change(2, { extendDeadlineMinutes: 60 })],
      expect: { availableUntil: T + 11 * H, dueAt: T + 9 * H },
    },
    {
      name: 'a newer change that touches no dates leaves an older change’s dates',
      changes: [change(1, { availableUntil: T + 50 * H }), change(2, { maxAttempts: 5 })],
      expect: { availableUntil: T + 50 * H, maxAttempts: 5, changeIds: [1, 2] },
    },
    {
      name: 'a newer change for someone else does not win',
      changes: [change(1, { availableUntil: T + 50 * H }), change(2, { availableUntil: T + 1 * H, targets: BOB_ONLY })],
      expect: { availableUntil: T + 50 * H, changeIds: [1] },
    },
    {
      name: 'created in the same millisecond: the higher id is the later one',
      changes: [change(7, { createdAt: T, availableUntil: T + 70 * H }), change(3, { createdAt: T, availableUntil: T + 30 * H })],
      expect: { availableUntil: T + 70 * H, changeIds: [3, 7] },
    },
    {
      name: 'extending a wrapped window past its re-opening leaves it always available',
      settings: { ...DEFAULT_SETTINGS, availableFrom: T + 20 * H, availableUntil: T + 10 * H },
      changes: [change(1, { extendDeadlineMinutes: 11 * 60 })],
      expect: { availableFrom: null, availableUntil: null },
    },
    {
      name: 'extending a wrapped window a little keeps it wrapped',
      settings: { ...DEFAULT_SETTINGS, availableFrom: T + 20 * H, availableUntil: T + 10 * H },
      changes: [change(1, { extendDeadlineMinutes: 60 })],
      expect: { availableFrom: T + 20 * H, availableUntil: T + 11 * H },
    },
    { name: 'a duration in minutes', changes: [change(1, { duration: { mode: 'minutes', amount: 15 } })], expect: { duration: { mode: 'minutes', amount: 15 } } },
    {
      name: 'the last-created duration wins',
      changes: [change(1, { duration: { mode: 'percent', amount: 25 } }), change(2, { duration: { mode: 'minutes', amount: 10 } })],
      expect: { duration: { mode: 'minutes', amount: 10 } },
    },
    {
      name: 'a newer change without a duration does not reset an older one',
      changes: [change(1, { duration: { mode: 'percent', amount: 25 } }), change(2, { availableUntil: T + 20 * H })],
      expect: { duration: { mode: 'percent', amount: 25 }, availableUntil: T + 20 * H },
    },
    {
      name: 'disabling the duration when it is the last-created',
      changes: [change(1, { duration: { mode: 'minutes', amount: 10 } }), change(2, { duration: { mode: 'disable' } })],
      expect: { duration: { mode: 'disable' } },
    },
    {
      name: 'dates and duration can come from different changes',
      changes: [change(1, { duration: { mode: 'percent', amount: 50 } }), change(2, { availableUntil: T + 20 * H }), change(3, { duration: { mode: 'none' }, targets: BOB_ONLY })],
      expect: { duration: { mode: 'percent', amount: 50 }, availableUntil: T + 20 * H, changeIds: [1, 2] },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const got = effectiveAccess(c.settings ?? RESOURCE, c.changes, ALICE, 0);
      const picked = Object.fromEntries(Object.keys(c.expect).map((k) => [k, got[k as keyof EffectiveAccess]]));
      assert.deepEqual(picked, c.expect);
    });
  }

  it('email targets match case-insensitively in the whole calculation', () => {
    const got = effectiveAccess(RESOURCE, [change(1, { availableUntil: T + 20 * H, targets: [{ kind: 'email', value: 'ALICE@example.ORG' }] })], ALICE, 0);
    assert.equal(got.availableUntil, T + 20 * H);
  });
});

describe('access change: maximum attempts (greatest, 0 = unlimited wins)', () => {
  const cases: Array<{ name: string; resource: number; changes: Array<number | null>; others?: number[]; tokens?: number; max: number; extra?: number }> = [
    { name: 'resource unlimited, no change', resource: 0, changes: [], max: 0 },
    { name: 'resource limited, no change', resource: 2, changes: [], max: 2 },
    { name: 'resource unlimited, change 3: still unlimited', resource: 0, changes: [3], max: 0 },
    { name: 'resource 2, change 0: unlimited', resource: 2, changes: [0], max: 0 },
    { name: 'resource 2, change 5 (greater)', resource: 2, changes: [5], max: 5 },
    { name: 'resource 5, change 2 (smaller): resource stays', resource: 5, changes: [2], max: 5 },
    { name: 'resource 2, changes 3 and 4: greatest', resource: 2, changes: [4, 3], max: 4 },
    { name: 'resource 2, changes 4 then 0: unlimited even though 0 is older', resource: 2, changes: [0, 4], max: 0 },
    { name: 'a change without a maximum keeps the resource', resource: 2, changes: [null], max: 2 },
    { name: 'a greater maximum for someone else is ignored', resource: 2, changes: [], others: [10, 0], max: 2 },
    { name: 'access tokens are reported as extra attempts', resource: 2, changes: [3], tokens: 2, max: 3, extra: 2 },
    { name: 'negative token counts are read as none', resource: 2, changes: [], tokens: -1, max: 2, extra: 0 },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const changes = [
        ...c.changes.map((m, i) => change(i + 1, { maxAttempts: m })),
        ...(c.others ?? []).map((m, i) => change(100 + i, { maxAttempts: m, targets: BOB_ONLY })),
      ];
      const got = effectiveAccess({ ...DEFAULT_SETTINGS, maxAttempts: c.resource }, changes, ALICE, c.tokens ?? 0);
      assert.equal(got.maxAttempts, c.max);
      assert.equal(got.extraAttempts, c.extra ?? 0);
    });
  }
});
