import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { EffectiveAccess } from '../../src/domain/access-change.js';
import type { AttemptFacts } from '../../src/domain/attempt-rules.js';
import { attemptScaled, gradeFor, type Grade } from '../../src/domain/grading.js';
import { DEFAULT_SETTINGS, type GradingMethod } from '../../src/domain/resource-settings.js';

const T = Date.UTC(2025, 0, 1);
const H = 3_600_000;
const OPEN: EffectiveAccess = { availableFrom: null, availableUntil: null, dueAt: null, maxAttempts: 0, extraAttempts: 0, duration: { mode: 'none' }, changeIds: [] };
const CLOSES: EffectiveAccess = { ...OPEN, availableUntil: T + 10 * H };

function done(id: number, scaled: number | null, startedAt = T + id * H): AttemptFacts {
  return { id, startedAt, endedAt: startedAt + 1, completionStatus: 'completed', scoreScaled: scaled, scoreRaw: null, scoreMax: null };
}
function open(id: number, scaled: number | null, startedAt = T + id * H): AttemptFacts {
  return { ...done(id, scaled, startedAt), endedAt: null, completionStatus: 'incomplete' };
}

describe('grading: the scaled score of one attempt', () => {
  const base = done(1, null);
  const cases: Array<{ name: string; attempt: AttemptFacts; scaled: number | null }> = [
    { name: 'scaled given', attempt: { ...base, scoreScaled: 0.4, scoreRaw: 9, scoreMax: 10 }, scaled: 0.4 },
    { name: 'raw over max when no scaled', attempt: { ...base, scoreRaw: 3, scoreMax: 4 }, scaled: 0.75 },
    { name: 'max of 0 gives nothing', attempt: { ...base, scoreRaw: 0, scoreMax: 0 }, scaled: null },
    { name: 'raw without max gives nothing', attempt: { ...base, scoreRaw: 3 }, scaled: null },
    { name: 'nothing at all', attempt: base, scaled: null },
    { name: 'negative scaled is clamped to 0', attempt: { ...base, scoreScaled: -0.5 }, scaled: 0 },
    { name: 'raw above max is clamped to 1', attempt: { ...base, scoreRaw: 12, scoreMax: 10 }, scaled: 1 },
  ];
  for (const c of cases) it(c.name, () => assert.equal(attemptScaled(c.attempt), c.scaled));
});

describe('grading: which score counts', () => {
  const cases: Array<{ name: string; method: GradingMethod; includeIncomplete: boolean; attempts: AttemptFacts[]; access?: EffectiveAccess; now?: number; grade: Grade }> = [
    { name: 'highest: no attempts', method: 'highest', includeIncomplete: true, attempts: [], grade: { scaled: null, attemptId: null } },
    { name: 'highest: best of complete attempts', method: 'highest', includeIncomplete: true, attempts: [done(1, 0.3), done(2, 0.9), done(3, 0.5)], grade: { scaled: 0.9, attemptId: 2 } },
    { name: 'highest: an incomplete attempt counts when included', method: 'highest', includeIncomplete: true, attempts: [done(1, 0.3), open(2, 0.8)], grade: { scaled: 0.8, attemptId: 2 } },
    { name: 'highest: an incomplete attempt is left out when excluded', method: 'highest', includeIncomplete: false, attempts: [done(1, 0.3), open(2, 0.8)], grade: { scaled: 0.3, attemptId: 1 } },
    { name: 'highest: a tie keeps the earlier attempt', method: 'highest', includeIncomplete: true, attempts: [done(2, 0.5), done(1, 0.5)], grade: { scaled: 0.5, attemptId: 1 } },
    { name: 'highest: attempts without scores give nothing', method: 'highest', includeIncomplete: true, attempts: [done(1, null)], grade: { scaled: null, attemptId: null } },
    { name: 'highest: only incomplete, excluded', method: 'highest', includeIncomplete: false, attempts: [open(1, 0.7)], grade: { scaled: null, attemptId: null } },
    {
      name: 'highest: excluded incomplete attempt counts once availability ended',
      method: 'highest', includeIncomplete: false, attempts: [done(1, 0.2), open(2, 0.6)], access: CLOSES, now: T + 10 * H,
      grade: { scaled: 0.6, attemptId: 2 },
    },
    {
      name: 'highest: excluded incomplete attempt still left out before availability ends',
      method: 'highest', includeIncomplete: false, attempts: [done(1, 0.2), open(2, 0.6)], access: CLOSES, now: T + 10 * H - 1,
      grade: { scaled: 0.2, attemptId: 1 },
    },
    { name: 'last: no attempts', method: 'last', includeIncomplete: true, attempts: [], grade: { scaled: null, attemptId: null } },
    { name: 'last: the attempt started last, not the best', method: 'last', includeIncomplete: true, attempts: [done(1, 0.9), done(2, 0.4)], grade: { scaled: 0.4, attemptId: 2 } },
    { name: 'last: by start time, not list order', method: 'last', includeIncomplete: true, attempts: [done(2, 0.4), done(1, 0.9)], grade: { scaled: 0.4, attemptId: 2 } },
    { name: 'last: an incomplete latest attempt when included', method: 'last', includeIncomplete: true, attempts: [done(1, 0.9), open(2, 0.1)], grade: { scaled: 0.1, attemptId: 2 } },
    { name: 'last: the latest complete attempt when incomplete excluded', method: 'last', includeIncomplete: false, attempts: [done(1, 0.9), open(2, 0.1)], grade: { scaled: 0.9, attemptId: 1 } },
    { name: 'last: latest attempt without a score', method: 'last', includeIncomplete: true, attempts: [done(1, 0.9), done(2, null)], grade: { scaled: null, attemptId: 2 } },
    { name: 'last: same start time, higher id is later', method: 'last', includeIncomplete: true, attempts: [done(5, 0.5, T), done(4, 0.7, T)], grade: { scaled: 0.5, attemptId: 5 } },
    { name: 'average: no attempts', method: 'average', includeIncomplete: true, attempts: [], grade: { scaled: null, attemptId: null } },
    { name: 'average: mean of complete attempts', method: 'average', includeIncomplete: true, attempts: [done(1, 0.2), done(2, 0.6)], grade: { scaled: 0.4, attemptId: null } },
    { name: 'average: includes incomplete when included', method: 'average', includeIncomplete: true, attempts: [done(1, 0.2), done(2, 0.6), open(3, 1)], grade: { scaled: 0.6, attemptId: null } },
    { name: 'average: leaves out incomplete when excluded', method: 'average', includeIncomplete: false, attempts: [done(1, 0.2), done(2, 0.6), open(3, 1)], grade: { scaled: 0.4, attemptId: null } },
    { name: 'average: an attempt without a score counts as 0', method: 'average', includeIncomplete: true, attempts: [done(1, 0.8), done(2, null)], grade: { scaled: 0.4, attemptId: null } },
    {
      name: 'average: raw over max is used',
      method: 'average', includeIncomplete: true,
      attempts: [{ ...done(1, null), scoreRaw: 1, scoreMax: 4 }, { ...done(2, null), scoreRaw: 3, scoreMax: 4 }],
      grade: { scaled: 0.5, attemptId: null },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const settings = { ...DEFAULT_SETTINGS, gradingMethod: c.method, includeIncomplete: c.includeIncomplete };
      const g = gradeFor(settings, c.attempts, c.access ?? OPEN, c.now ?? T);
      assert.equal(g.attemptId, c.grade.attemptId);
      if (c.grade.scaled === null) assert.equal(g.scaled, null);
      else assert.ok(g.scaled !== null && Math.abs(g.scaled - c.grade.scaled) < 1e-9, `got ${g.scaled}`);
    });
  }
});
