import type { DurationChange } from './access-change.js';
import { MAX_ATTEMPTS_LIMIT, parseSettingsDate } from './resource-settings.js';

/**
 * What the new-access-change form posts. Targets are the text of a textarea; numbers may arrive
 * as the text of number fields; dates are ISO 8601 with a time zone, or null/'' for "keep the
 * resource's".
 */
export interface AccessChangeInput {
  description: string;
  targets: string;
  availableFrom: string | null;
  availableUntil: string | null;
  extendDeadlineMinutes: number | string | null;
  maxAttempts: number | string | null;
  durationMode: string;
  durationAmount: number | string | null;
}

/** 'form' is a problem of the whole change rather than of one field. */
export type AccessChangeField = keyof AccessChangeInput | 'form';

export interface AccessChangeProblem {
  field: AccessChangeField;
  message: string;
}

export interface AccessChangeTarget {
  kind: 'username' | 'email';
  value: string;
}

export interface NewAccessChange {
  description: string;
  availableFrom: number | null;
  availableUntil: number | null;
  extendDeadlineMinutes: number | null;
  maxAttempts: number | null;
  duration: DurationChange;
  targets: AccessChangeTarget[];
}

export type AccessChangeCheck = { ok: true; change: NewAccessChange; notes: string[] } | { ok: false; problems: AccessChangeProblem[] };

export const DESCRIPTION_MAX = 500;
export const TARGETS_MAX = 2000;
export const TARGET_VALUE_MAX = 320;
/** A year: longer extensions are a different availability window, not an extension. */
export const EXTEND_MINUTES_MAX = 525_600;
export const DURATION_MINUTES_MAX = 10_000;
export const DURATION_PERCENT_MAX = 1000;

/**
 * One username or email address per line, or separated by commas or semicolons (as address
 * lists are pasted). Anything with an '@' is an email address. Repeats are dropped: emails
 * compare without case, usernames exactly, as `appliesTo` compares them.
 */
export function parseTargets(text: string): AccessChangeTarget[] {
  const seen = new Set<string>();
  const out: AccessChangeTarget[] = [];
  for (const piece of text.split(/[\r\n,;]+/)) {
    const value = piece.trim();
    if (value === '') continue;
    const kind = value.includes('@') ? 'email' : 'username';
    const key = kind === 'email' ? `e:${value.toLowerCase()}` : `u:${value}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ kind, value });
  }
  return out;
}

type NumberParse = { ok: true; value: number | null } | { ok: false };

/** '' and null mean "not set"; otherwise a finite number (whole when asked) within [min, max]. */
function parseNumber(raw: number | string | null | undefined, min: number, max: number, whole: boolean): NumberParse {
  if (raw === null || raw === undefined) return { ok: true, value: null };
  const text = typeof raw === 'string' ? raw.trim() : raw;
  if (text === '') return { ok: true, value: null };
  const value = typeof text === 'number' ? text : /^[+-]?(\d+(\.\d*)?|\.\d+)$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isFinite(value) || (whole && !Number.isInteger(value)) || value < min || value > max) return { ok: false };
  return { ok: true, value };
}

const DATE_MESSAGE = 'Give a date and time with a time zone, such as 2025-06-01T09:00:00Z, or leave it empty to keep the exam’s own.';

function checkDuration(input: AccessChangeInput, problems: AccessChangeProblem[]): DurationChange | null {
  switch (input.durationMode) {
    case 'none':
      return { mode: 'none' };
    case 'disable':
      return { mode: 'disable' };
    case 'minutes': {
      const amount = parseNumber(input.durationAmount, 1, DURATION_MINUTES_MAX, true);
      if (!amount.ok || amount.value === null) {
        problems.push({ field: 'durationAmount', message: `Give the extra time as whole minutes, from 1 to ${DURATION_MINUTES_MAX}.` });
        return null;
      }
      return { mode: 'minutes', amount: amount.value };
    }
    case 'percent': {
      const amount = parseNumber(input.durationAmount, Number.MIN_VALUE, DURATION_PERCENT_MAX, false);
      if (!amount.ok || amount.value === null) {
        problems.push({ field: 'durationAmount', message: `Give the extra time as a percentage above 0 and at most ${DURATION_PERCENT_MAX}.` });
        return null;
      }
      return { mode: 'percent', amount: amount.value };
    }
    default:
      problems.push({ field: 'durationMode', message: 'Choose no change, extra minutes, an extra percentage, or no time limit.' });
      return null;
  }
}

export function checkAccessChange(input: AccessChangeInput): AccessChangeCheck {
  const problems: AccessChangeProblem[] = [];
  const notes: string[] = [];

  const description = typeof input.description === 'string' ? input.description.trim() : '';
  if (description === '') problems.push({ field: 'description', message: 'Describe the change, for example "Extra time for exam arrangements".' });
  else if (description.length > DESCRIPTION_MAX) problems.push({ field: 'description', message: `Keep the description to ${DESCRIPTION_MAX} characters.` });

  const targets = parseTargets(typeof input.targets === 'string' ? input.targets : '');
  if (targets.length === 0) problems.push({ field: 'targets', message: 'Name at least one student, by username or email address.' });
  else if (targets.length > TARGETS_MAX) problems.push({ field: 'targets', message: `Name at most ${TARGETS_MAX} students in one change.` });
  else if (targets.some((t) => t.value.length > TARGET_VALUE_MAX)) problems.push({ field: 'targets', message: `A username or email address is longer than ${TARGET_VALUE_MAX} characters.` });

  const from = parseSettingsDate(input.availableFrom);
  if (!from.ok) problems.push({ field: 'availableFrom', message: DATE_MESSAGE });
  const until = parseSettingsDate(input.availableUntil);
  if (!until.ok) problems.push({ field: 'availableUntil', message: DATE_MESSAGE });
  const availableFrom = from.ok ? from.value : null;
  const availableUntil = until.ok ? until.value : null;
  if (availableFrom !== null && availableUntil !== null) {
    if (availableFrom === availableUntil) {
      problems.push({ field: 'availableUntil', message: 'Available from and available until are the same moment, so the exam would never be available to these students.' });
    } else if (availableFrom > availableUntil) {
      notes.push('Available from is later than available until: these students cannot take the exam between the two, and can before and after.');
    }
  }

  const extend = parseNumber(input.extendDeadlineMinutes, 1, EXTEND_MINUTES_MAX, true);
  if (!extend.ok) problems.push({ field: 'extendDeadlineMinutes', message: `Give the deadline extension as whole minutes, from 1 to ${EXTEND_MINUTES_MAX}, or leave it empty.` });
  const maxAttempts = parseNumber(input.maxAttempts, 0, MAX_ATTEMPTS_LIMIT, true);
  if (!maxAttempts.ok) problems.push({ field: 'maxAttempts', message: `Maximum attempts must be a whole number from 0 (unlimited) to ${MAX_ATTEMPTS_LIMIT}, or empty.` });
  const duration = checkDuration(input, problems);

  const extendDeadlineMinutes = extend.ok ? extend.value : null;
  const attempts = maxAttempts.ok ? maxAttempts.value : null;
  const changesSomething =
    availableFrom !== null || availableUntil !== null || extendDeadlineMinutes !== null || attempts !== null || (duration !== null && duration.mode !== 'none');
  if (problems.length === 0 && !changesSomething) {
    problems.push({ field: 'form', message: 'Choose at least one thing this change does: availability dates, a deadline extension, maximum attempts, or the exam duration.' });
  }
  if (problems.length > 0 || duration === null) return { ok: false, problems };
  return {
    ok: true,
    notes,
    change: { description, availableFrom, availableUntil, extendDeadlineMinutes, maxAttempts: attempts, duration, targets },
  };
}
