import type { EffectiveAccess } from './access-change.js';
import { countsAsComplete, type AttemptFacts } from './attempt-rules.js';
import type { ResourceSettings } from './resource-settings.js';

/** Whether a student may see an attempt's score (instructors always can; this is the student's view). */
export function canSeeScore(settings: ResourceSettings, attempt: AttemptFacts, access: EffectiveAccess, now: number): boolean {
  switch (settings.showScores) {
    case 'always':
      return true;
    case 'completed':
      return countsAsComplete(attempt, access, now);
    case 'review':
      // Review is only of complete attempts, and with no review date set review is open at once.
      return countsAsComplete(attempt, access, now) && (settings.reviewFrom === null || now >= settings.reviewFrom);
    case 'never':
      return false;
  }
}
