import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { type AccessChangeInput, checkAccessChange, parseTargets } from '../../src/domain/access-change-input.js';

function input(overrides: Partial<AccessChangeInput> = {}): AccessChangeInput {
  return {
    description: 'Extra time',
    targets: 'sam',
    availableFrom: null,
    availableUntil: null,
    extendDeadlineMinutes: null,
    maxAttempts: null,
    durationMode: 'minutes',
    durationAmount: 10,
    ...overrides,
  };
}

describe('access change targets from a textarea', () => {
  const cases: Array<[string, string, Array<[string, string]>]> = [
    ['one per line', 'a\nb\r\nc', [['username', 'a'], ['username', 'b'], ['username', 'c']]],
    ['commas and semicolons', 'a, b;c', [['username', 'a'], ['username', 'b'], ['username', 'c']]],
    ['emails by their @', 'x@y.org\nname', [['email', 'x@y.org'], ['username', 'name']]],
    ['blank pieces dropped, spaces trimmed', ' \n ,, a ,\n', [['username', 'a']]],
    ['email repeats ignore case', 'X@Y.org, x@y.org', [['email', 'X@Y.org']]],
    ['username repeats are exact', 'Sam, sam, Sam', [['username', 'Sam'], ['username', 'sam']]],
    ['nothing', '', []],
  ];
  for (const [name, text, expected] of cases) {
    it(name, () => {
      assert.deepEqual(
        parseTargets(text).map((t) => [t.kind, t.value]),
        expected,
      );
    });
  }
});

describe('checkAccessChange', () => {
  const ok: Array<[string, Partial<AccessChangeInput>, unknown]> = [
    ['minutes from text', { durationAmount: '15' }, { mode: 'minutes', amount: 15 }],
    ['percent with decimals', { durationMode: 'percent', durationAmount: '12.5' }, { mode: 'percent', amount: 12.5 }],
    ['disable ignores the amount', { durationMode: 'disable', durationAmount: 'x' }, { mode: 'disable' }],
    ['none with attempts', { durationMode: 'none', durationAmount: null, maxAttempts: '0' }, { mode: 'none' }],
  ];
  for (const [name, overrides, duration] of ok) {
    it(`accepts ${name}`, () => {
      const check = checkAccessChange(input(overrides));
      assert.ok(check.ok, JSON.stringify(check));
      assert.deepEqual(check.change.duration, duration);
    });
  }

  const bad: Array<[string, Partial<AccessChangeInput>, string[]]> = [
    ['an empty description', { description: ' ' }, ['description']],
    ['a description too long', { description: 'x'.repeat(501) }, ['description']],
    ['no targets', { targets: ' , ' }, ['targets']],
    ['an unparseable date', { availableFrom: '31/12/2030' }, ['availableFrom']],
    ['equal from and until', { availableFrom: '2030-01-01T00:00:00Z', availableUntil: '2030-01-01T00:00:00Z' }, ['availableUntil']],
    ['a zero deadline extension', { extendDeadlineMinutes: 0 }, ['extendDeadlineMinutes']],
    ['attempts over the limit', { maxAttempts: 1001 }, ['maxAttempts']],
    ['minutes with decimals', { durationAmount: '2.5' }, ['durationAmount']],
    ['a negative percentage', { durationMode: 'percent', durationAmount: -5 }, ['durationAmount']],
    ['an unknown mode', { durationMode: 'twice' }, ['durationMode']],
    ['no change at all', { durationMode: 'none', durationAmount: null }, ['form']],
  ];
  for (const [name, overrides, fields] of bad) {
    it(`refuses ${name}`, () => {
      const check = checkAccessChange(input(overrides));
      assert.equal(check.ok, false);
      if (!check.ok) assert.deepEqual(check.problems.map((p) => p.field), fields);
    });
  }

  it('notes a wrapped window', () => {
    const check = checkAccessChange(input({ availableFrom: '2030-02-01T00:00:00Z', availableUntil: '2030-01-01T00:00:00Z' }));
    assert.ok(check.ok);
    assert.match(check.notes.join(' '), /between/);
  });
});
