import type { ReportTiming } from './resource-settings.js';

/** What happened that might send a grade to the LMS. */
export type GradeEvent = 'score-changed' | 'attempt-completed' | 'deadline-passed' | 'access-changed' | 'manual';

/**
 * Whether an event sends the grade under a resource's timing.
 * - immediately: every event.
 * - on_completion: everything except a mere score change during an attempt.
 * - manual: the instructor's button, and also the deadline and access-change sends, because the
 *   product asks for those to go out automatically whatever the timing: a deadline or a changed
 *   allowance settles which score counts, and the gradebook should not keep a stale one.
 */
export function shouldReport(timing: ReportTiming, event: GradeEvent): boolean {
  switch (timing) {
    case 'immediately':
      return true;
    case 'on_completion':
      return event !== 'score-changed';
    case 'manual':
      return event === 'manual' || event === 'deadline-passed' || event === 'access-changed';
  }
}

/** Deadline sends wait a little so attempts ended by the deadline have saved their last data. */
export const DEADLINE_REPORT_DELAY_MS = 5 * 60_000;

export interface DeadlineDates {
  availableUntil: number | null;
  dueAt: number | null;
}

/** When to send grades after a deadline: due date and available-until, each plus the delay, those set, ascending and without repeats. */
export function deadlineReportTimes(w: DeadlineDates): number[] {
  const times = [w.dueAt, w.availableUntil].filter((t): t is number => t !== null).map((t) => t + DEADLINE_REPORT_DELAY_MS);
  return [...new Set(times)].sort((a, b) => a - b);
}
