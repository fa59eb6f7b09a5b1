import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { EffectiveAccess } from '../../src/domain/access-change.js';
import type { AttemptFacts } from '../../src/domain/attempt-rules.js';
import { DEFAULT_SETTINGS, type ShowScores } from '../../src/domain/resource-settings.js';
import { canSeeScore } from '../../src/domain/score-visibility.js';

const T = Date.UTC(2025, 0, 1);
const H = 3_600_000;
const OPEN: EffectiveAccess = { availableFrom: null, availableUntil: null, dueAt: null, maxAttempts: 0, extraAttempts: 0, duration: { mode: 'none' }, changeIds: [] };
const CLOSES: EffectiveAccess = { ...OPEN, availableUntil: T + 10 * H };

const DONE: AttemptFacts = { id: 1, startedAt: T, endedAt: T + H, completionStatus: 'completed', scoreScaled: 0.5, scoreRaw: null, scoreMax: null };
const RUNNING: AttemptFacts = { ...DONE, endedAt: null, completionStatus: 'incomplete' };

const cases: Array<{ name: string; policy: ShowScores; reviewFrom?: number; attempt: AttemptFacts; access?: EffectiveAccess; now: number; sees: boolean }> = [
  { name: 'always: complete attempt', policy: 'always', attempt: DONE, now: T, sees: true },
  { name: 'always: attempt in progress', policy: 'always', attempt: RUNNING, now: T, sees: true },
  { name: 'completed: complete attempt', policy: 'completed', attempt: DONE, now: T, sees: true },
  { name: 'completed: attempt in progress', policy: 'completed', attempt: RUNNING, now: T, sees: false },
  { name: 'completed: open attempt after availability ended', policy: 'completed', attempt: RUNNING, access: CLOSES, now: T + 10 * H, sees: true },
  { name: 'review: no review date, complete attempt', policy: 'review', attempt: DONE, now: T, sees: true },
  { name: 'review: no review date, attempt in progress', policy: 'review', attempt: RUNNING, now: T, sees: false },
  { name: 'review: before the review date', policy: 'review', reviewFrom: T + 5 * H, attempt: DONE, now: T + 5 * H - 1, sees: false },
  { name: 'review: at the review date', policy: 'review', reviewFrom: T + 5 * H, attempt: DONE, now: T + 5 * H, sees: true },
  { name: 'review: after the review date, attempt in progress', policy: 'review', reviewFrom: T, attempt: RUNNING, now: T + H, sees: false },
  { name: 'never: complete attempt', policy: 'never', attempt: DONE, now: T, sees: false },
  { name: 'never: after the review date', policy: 'never', reviewFrom: T, attempt: DONE, now: T + H, sees: false },
];

describe('score visibility for students', () => {
  for (const c of cases) {
    it(c.name, () => {
      const settings = { ...DEFAULT_SETTINGS, showScores: c.policy, reviewFrom: c.reviewFrom ?? null };
      assert.equal(canSeeScore(settings, c.attempt, c.access ?? OPEN, c.now), c.sees);
    });
  }
});
