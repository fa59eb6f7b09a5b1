/**
 * What the connection indicator and the end-of-exam message say, from the transport's status.
 * Pure functions: the unit tests check the wording.
 */
import type { TransportStatus } from './transport.js';

export interface IndicatorText {
  text: string;
  /** The indicator's title: details for whoever hovers or inspects it. */
  title: string;
  tone: 'ok' | 'busy' | 'offline' | 'info';
}

export const MEMORY_ONLY_TITLE =
  'This browser does not let the exam keep unsaved answers on this device (storage is blocked in this frame), ' +
  'so they are kept only in this page until the server confirms them: do not reload or close the page while answers are unsaved.';

function unsavedAnswers(n: number): string {
  return n === 1 ? '1 unsaved answer' : `${n} unsaved answers`;
}

export function indicatorText(status: TransportStatus, context: { mode: 'normal' | 'review'; testRun: boolean }): IndicatorText {
  if (context.mode === 'review') {
    return { text: 'Review: nothing you change here is saved', title: 'This is a review of a finished attempt.', tone: 'info' };
  }
  if (context.testRun) {
    return { text: 'Test run: answers are not saved', title: 'Test runs let instructors try the exam; nothing is stored.', tone: 'info' };
  }
  const titleParts: string[] = [];
  if (!status.persistent) titleParts.push(MEMORY_ONLY_TITLE);
  if (status.lastError !== null && status.unsaved > 0) titleParts.push(`Last problem: ${status.lastError}`);
  const title = titleParts.join(' ');
  if (status.unsaved === 0) return { text: 'All answers saved', title, tone: 'ok' };
  if (status.connection === 'offline') {
    return {
      text: `Offline — ${unsavedAnswers(status.unsaved)} (they will be sent when the connection returns)`,
      title,
      tone: 'offline',
    };
  }
  return { text: 'Saving…', title, tone: 'busy' };
}

export const ENDING_TEXT = 'Ending the exam: waiting for the server to confirm every answer is saved…';
export const ENDED_TEXT = 'Your exam has ended and every answer is saved.';

/** The end-of-exam message once the SCO has terminated after completing; null while it has not. */
export function endText(
  status: TransportStatus,
  context: { ending: boolean; testRun: boolean; refusal: string | null },
): string | null {
  if (!context.ending) return null;
  if (context.testRun) return 'The test run has ended. Nothing was saved.';
  if (status.terminate === 'refused') {
    return `The server did not accept the end of the exam: ${context.refusal ?? status.lastError ?? 'no reason given'}`;
  }
  if (status.terminate === 'acked' && status.unsaved === 0) return ENDED_TEXT;
  return ENDING_TEXT;
}

/** The deadline line shown while an attempt runs, after the server said the deadline moved. */
export function deadlineText(update: { deadline: number | null; message: string }, format: (ms: number) => string): string {
  const when = update.deadline === null ? 'There is no deadline now.' : `Deadline: ${format(update.deadline)}.`;
  return `${update.message} ${when}`;
}
