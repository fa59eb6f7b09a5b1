/** What an open attempt's window is told when its closing time or due date moves (src/commands/apply-access.ts). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { deadlineNotice } from '../../src/commands/apply-access.js';
import type { EffectiveAccess } from '../../src/domain/access-change.js';

const access = (availableUntil: number | null, dueAt: number | null): EffectiveAccess => ({
  availableFrom: null,
  availableUntil,
  dueAt,
  maxAttempts: 0,
  extraAttempts: 0,
  duration: { mode: 'none' },
  changeIds: [],
});
const mark = (u: number | null, d: number | null) => ({ u, d, f: 'x', e: false });

describe('deadlineNotice', () => {
  const cases: Array<[string, ReturnType<typeof mark> | undefined, EffectiveAccess, number | null | 'none', RegExp | null]> = [
    ['nothing moved', mark(100, 50), access(100, 50), 'none', null],
    ['closing time moved: the new closing time', mark(100, 50), access(130, 80), 130, /closes for you has changed/],
    ['only the due date moved: the new due date', mark(100, 50), access(100, 80), 80, /due date of this exam has changed/],
    ['closing time removed, due date stays', mark(100, 50), access(null, 50), 50, /no longer closes/],
    ['due date removed, closing time stays', mark(100, 50), access(100, null), 100, /no longer has a due date/],
    ['both removed: no deadline', mark(100, 50), access(null, null), null, /no longer closes/],
    ['no earlier run, a closing time: say it', undefined, access(100, 50), 100, /closes for you at the time below/],
    ['no earlier run, only a due date: say it', undefined, access(null, 50), 50, /due at the time below/],
    ['no earlier run, no dates: nothing to say', undefined, access(null, null), 'none', null],
  ];
  for (const [title, before, next, deadline, message] of cases) {
    it(title, () => {
      const notice = deadlineNotice(before, next);
      if (deadline === 'none') return assert.equal(notice, null);
      assert.ok(notice);
      assert.equal(notice.deadline, deadline);
      assert.match(notice.message, message ?? /./);
    });
  }
});
