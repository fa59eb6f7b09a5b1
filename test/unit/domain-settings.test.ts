import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  DEFAULT_SETTINGS,
  checkSettings,
  parseSettingsDate,
  settingsFromRow,
  settingsToRow,
  type ResourceSettings,
  type ResourceSettingsRow,
  type SettingsInput,
} from '../../src/domain/resource-settings.js';

const VALID: SettingsInput = {
  gradingMethod: 'highest',
  includeIncomplete: true,
  maxAttempts: 0,
  showScores: 'always',
  reportTiming: 'immediately',
  reviewFrom: null,
  availableFrom: null,
  availableUntil: null,
  dueAt: null,
  emailReceipts: false,
};

const JAN1 = '2025-01-01T00:00:00Z';
const JAN2 = '2025-01-02T00:00:00Z';
const JAN3 = '2025-01-03T00:00:00Z';

describe('resource settings: defaults and rows', () => {
  it('defaults match the product defaults', () => {
    assert.deepEqual(DEFAULT_SETTINGS, {
      gradingMethod: 'highest',
      includeIncomplete: true,
      maxAttempts: 0,
      showScores: 'always',
      reportTiming: 'immediately',
      reviewFrom: null,
      availableFrom: null,
      availableUntil: null,
      dueAt: null,
      emailReceipts: false,
    });
  });

  it('a row round-trips through settings', () => {
    const s: ResourceSettings = {
      gradingMethod: 'average',
      includeIncomplete: false,
      maxAttempts: 3,
      showScores: 'review',
      reportTiming: 'manual',
      reviewFrom: 10,
      availableFrom: 20,
      availableUntil: 30,
      dueAt: 25,
      emailReceipts: true,
    };
    const row = settingsToRow(s);
    assert.deepEqual(row, {
      grading_method: 'average', include_incomplete: 0, max_attempts: 3, show_scores: 'review', report_timing: 'manual',
      review_from: 10, available_from: 20, available_until: 30, due_at: 25, email_receipts: 1,
    });
    assert.deepEqual(settingsFromRow(row), s);
  });

  const fallbacks: Array<{ name: string; row: Partial<ResourceSettingsRow>; expect: Partial<ResourceSettings> }> = [
    { name: 'unknown grading method falls back to highest', row: { grading_method: 'median' }, expect: { gradingMethod: 'highest' } },
    { name: 'unknown show-scores falls back to always', row: { show_scores: 'sometimes' }, expect: { showScores: 'always' } },
    { name: 'unknown report timing falls back to immediately', row: { report_timing: 'weekly' }, expect: { reportTiming: 'immediately' } },
    { name: 'negative max attempts falls back to unlimited', row: { max_attempts: -2 }, expect: { maxAttempts: 0 } },
  ];
  for (const c of fallbacks) {
    it(c.name, () => {
      const row = { ...settingsToRow(DEFAULT_SETTINGS), ...c.row };
      assert.deepEqual(settingsFromRow(row), { ...DEFAULT_SETTINGS, ...c.expect });
    });
  }
});

describe('resource settings: parsing dates', () => {
  const cases: Array<{ name: string; text: string | null; value: number | null | 'bad' }> = [
    { name: 'null is not set', text: null, value: null },
    { name: 'empty text is not set', text: '  ', value: null },
    { name: 'UTC with seconds', text: '2025-01-01T00:00:00Z', value: Date.UTC(2025, 0, 1) },
    { name: 'UTC without seconds', text: '2025-01-01T09:30Z', value: Date.UTC(2025, 0, 1, 9, 30) },
    { name: 'with an offset', text: '2025-01-01T10:00:00+01:00', value: Date.UTC(2025, 0, 1, 9) },
    { name: 'with milliseconds', text: '2025-01-01T00:00:00.250Z', value: Date.UTC(2025, 0, 1) + 250 },
    { name: 'no time zone is refused', text: '2025-01-01T00:00', value: 'bad' },
    { name: 'words are refused', text: 'tomorrow', value: 'bad' },
    { name: '30 February is refused', text: '2025-02-30T00:00:00Z', value: 'bad' },
    { name: 'hour 24 is refused', text: '2025-01-01T24:00:00Z', value: 'bad' },
    { name: 'date only is refused', text: '2025-01-01', value: 'bad' },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const r = parseSettingsDate(c.text);
      if (c.value === 'bad') assert.equal(r.ok, false);
      else assert.deepEqual(r, { ok: true, value: c.value });
    });
  }
});

describe('resource settings: checking the form', () => {
  const problems: Array<{ name: string; input: Partial<SettingsInput>; field: string }> = [
    { name: 'unknown grading method', input: { gradingMethod: 'median' }, field: 'gradingMethod' },
    { name: 'unknown show-scores policy', input: { showScores: 'sometimes' }, field: 'showScores' },
    { name: 'unknown report timing', input: { reportTiming: 'weekly' }, field: 'reportTiming' },
    { name: 'negative max attempts', input: { maxAttempts: -1 }, field: 'maxAttempts' },
    { name: 'fractional max attempts', input: { maxAttempts: 1.5 }, field: 'maxAttempts' },
    { name: 'max attempts above 1000', input: { maxAttempts: 1001 }, field: 'maxAttempts' },
    { name: 'max attempts as words', input: { maxAttempts: 'three' }, field: 'maxAttempts' },
    { name: 'max attempts as empty text', input: { maxAttempts: '' }, field: 'maxAttempts' },
    { name: 'unparseable review date', input: { reviewFrom: 'soon' }, field: 'reviewFrom' },
    { name: 'unparseable available from', input: { availableFrom: '2025-13-01T00:00Z' }, field: 'availableFrom' },
    { name: 'unparseable available until', input: { availableUntil: 'x' }, field: 'availableUntil' },
    { name: 'unparseable due date', input: { dueAt: '01/02/2025' }, field: 'dueAt' },
    { name: 'from equals until: never available', input: { availableFrom: JAN1, availableUntil: JAN1 }, field: 'availableUntil' },
    { name: 'due before a normal window', input: { availableFrom: JAN2, availableUntil: JAN3, dueAt: JAN1 }, field: 'dueAt' },
    { name: 'due after a normal window', input: { availableFrom: JAN1, availableUntil: JAN2, dueAt: JAN3 }, field: 'dueAt' },
    { name: 'due before available from only', input: { availableFrom: JAN2, dueAt: JAN1 }, field: 'dueAt' },
    { name: 'due after available until only', input: { availableUntil: JAN2, dueAt: JAN3 }, field: 'dueAt' },
    { name: 'due inside the gap of a wrapped window', input: { availableFrom: JAN3, availableUntil: JAN1, dueAt: JAN2 }, field: 'dueAt' },
    { name: 'include incomplete not a boolean', input: { includeIncomplete: 'yes' as unknown as boolean }, field: 'includeIncomplete' },
  ];
  for (const c of problems) {
    it(`refuses: ${c.name}`, () => {
      const r = checkSettings({ ...VALID, ...c.input });
      assert.equal(r.ok, false);
      if (!r.ok) {
        assert.deepEqual(r.problems.map((p) => p.field), [c.field]);
        assert.ok(r.problems[0] && r.problems[0].message.length > 10);
      }
    });
  }

  const accepted: Array<{ name: string; input: Partial<SettingsInput>; expect: Partial<ResourceSettings>; notes: RegExp[] }> = [
    { name: 'the defaults', input: {}, expect: {}, notes: [] },
    { name: 'max attempts as text', input: { maxAttempts: ' 3 ' }, expect: { maxAttempts: 3 }, notes: [] },
    { name: 'max attempts 1000', input: { maxAttempts: 1000 }, expect: { maxAttempts: 1000 }, notes: [] },
    { name: 'empty dates mean not set', input: { reviewFrom: '', availableFrom: '', availableUntil: '', dueAt: '' }, expect: {}, notes: [] },
    {
      name: 'a normal window with the due date at its end',
      input: { availableFrom: JAN1, availableUntil: JAN3, dueAt: JAN3 },
      expect: { availableFrom: Date.parse(JAN1), availableUntil: Date.parse(JAN3), dueAt: Date.parse(JAN3) },
      notes: [],
    },
    {
      name: 'a wrapped window is explained',
      input: { availableFrom: JAN3, availableUntil: JAN1 },
      expect: { availableFrom: Date.parse(JAN3), availableUntil: Date.parse(JAN1) },
      notes: [/unavailable between 2025-01-01T00:00:00Z and 2025-01-03T00:00:00Z/],
    },
    {
      name: 'a due date after a wrapped window re-opens',
      input: { availableFrom: JAN2, availableUntil: JAN1, dueAt: JAN3 },
      expect: { availableFrom: Date.parse(JAN2), availableUntil: Date.parse(JAN1), dueAt: Date.parse(JAN3) },
      notes: [/unavailable between/],
    },
    { name: 'scores on review without a review date are explained', input: { showScores: 'review' }, expect: { showScores: 'review' }, notes: [/at once/] },
    { name: 'scores on review with a review date', input: { showScores: 'review', reviewFrom: JAN2 }, expect: { showScores: 'review', reviewFrom: Date.parse(JAN2) }, notes: [] },
    {
      name: 'every other choice',
      input: { gradingMethod: 'average', includeIncomplete: false, showScores: 'never', reportTiming: 'on_completion', emailReceipts: true },
      expect: { gradingMethod: 'average', includeIncomplete: false, showScores: 'never', reportTiming: 'on_completion', emailReceipts: true },
      notes: [],
    },
  ];
  for (const c of accepted) {
    it(`accepts: ${c.name}`, () => {
      const r = checkSettings({ ...VALID, ...c.input });
      assert.equal(r.ok, true, JSON.stringify(r));
      if (r.ok) {
        assert.deepEqual(r.settings, { ...DEFAULT_SETTINGS, ...c.expect });
        assert.equal(r.notes.length, c.notes.length);
        c.notes.forEach((re, i) => assert.match(r.notes[i] ?? '', re));
      }
    });
  }

  it('reports every problem at once', () => {
    const r = checkSettings({ ...VALID, gradingMethod: 'x', maxAttempts: -1, dueAt: 'never' });
    assert.equal(r.ok, false);
    if (!r.ok) assert.deepEqual(r.problems.map((p) => p.field).sort(), ['dueAt', 'gradingMethod', 'maxAttempts']);
  });
});
