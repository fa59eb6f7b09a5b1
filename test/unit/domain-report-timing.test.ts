import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DEADLINE_REPORT_DELAY_MS, deadlineReportTimes, shouldReport, type GradeEvent } from '../../src/domain/report-timing.js';
import type { ReportTiming } from '../../src/domain/resource-settings.js';

const T = Date.UTC(2025, 0, 1);
const H = 3_600_000;

// Rows: event → [immediately, on_completion, manual]
const table: Array<[GradeEvent, boolean, boolean, boolean]> = [
  ['score-changed', true, false, false],
  ['attempt-completed', true, true, false],
  ['deadline-passed', true, true, true],
  ['access-changed', true, true, true],
  ['manual', true, true, true],
];
const timings: ReportTiming[] = ['immediately', 'on_completion', 'manual'];

describe('report timing', () => {
  for (const [event, ...expected] of table) {
    timings.forEach((timing, i) => {
      it(`${timing}: ${event} ${expected[i] ? 'sends' : 'waits'}`, () => assert.equal(shouldReport(timing, event), expected[i]));
    });
  }

  it('the deadline delay is five minutes', () => assert.equal(DEADLINE_REPORT_DELAY_MS, 300_000));

  const times: Array<{ name: string; dueAt: number | null; availableUntil: number | null; expect: number[] }> = [
    { name: 'neither set', dueAt: null, availableUntil: null, expect: [] },
    { name: 'due date only', dueAt: T, availableUntil: null, expect: [T + DEADLINE_REPORT_DELAY_MS] },
    { name: 'until only', dueAt: null, availableUntil: T, expect: [T + DEADLINE_REPORT_DELAY_MS] },
    { name: 'both, in order', dueAt: T + 2 * H, availableUntil: T + H, expect: [T + H + DEADLINE_REPORT_DELAY_MS, T + 2 * H + DEADLINE_REPORT_DELAY_MS] },
    { name: 'both the same moment: once', dueAt: T, availableUntil: T, expect: [T + DEADLINE_REPORT_DELAY_MS] },
  ];
  for (const c of times) {
    it(`deadline report times: ${c.name}`, () => assert.deepEqual(deadlineReportTimes({ dueAt: c.dueAt, availableUntil: c.availableUntil }), c.expect));
  }
});
