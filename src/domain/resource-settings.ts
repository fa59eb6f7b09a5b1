/**
 * A resource's rules for attempts, grading and reporting, as the instructor sets them on
 * the settings page. Times are epoch milliseconds; null means "not set".
 */
export type GradingMethod = 'highest' | 'last' | 'average';
export type ShowScores = 'always' | 'completed' | 'review' | 'never';
export type ReportTiming = 'immediately' | 'on_completion' | 'manual';

export interface ResourceSettings {
  gradingMethod: GradingMethod;
  includeIncomplete: boolean;
  /** 0 means unlimited. */
  maxAttempts: number;
  showScores: ShowScores;
  reportTiming: ReportTiming;
  reviewFrom: number | null;
  availableFrom: number | null;
  availableUntil: number | null;
  dueAt: number | null;
  emailReceipts: boolean;
}

/** The columns of `resources` that hold the settings (booleans as 0/1). */
export interface ResourceSettingsRow {
  grading_method: string;
  include_incomplete: number;
  max_attempts: number;
  show_scores: string;
  report_timing: string;
  review_from: number | null;
  available_from: number | null;
  available_until: number | null;
  due_at: number | null;
  email_receipts: number;
}

/** One field's problem, in words an instructor can act on. */
export interface SettingsProblem {
  field: keyof ResourceSettings;
  message: string;
}

export type SettingsCheck = { ok: true; settings: ResourceSettings; notes: string[] } | { ok: false; problems: SettingsProblem[] };

export const GRADING_METHODS: readonly GradingMethod[] = ['highest', 'last', 'average'];
export const SHOW_SCORES: readonly ShowScores[] = ['always', 'completed', 'review', 'never'];
export const REPORT_TIMINGS: readonly ReportTiming[] = ['immediately', 'on_completion', 'manual'];
export const MAX_ATTEMPTS_LIMIT = 1000;

export const DEFAULT_SETTINGS: ResourceSettings = {
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

function oneOf<T extends string>(allowed: readonly T[], value: unknown): T | null {
  return typeof value === 'string' && (allowed as readonly string[]).includes(value) ? (value as T) : null;
}

/** Reads the stored columns; a value the code no longer knows falls back to the default rather than failing a page. */
export function settingsFromRow(row: ResourceSettingsRow): ResourceSettings {
  const max = Number(row.max_attempts);
  return {
    gradingMethod: oneOf(GRADING_METHODS, row.grading_method) ?? DEFAULT_SETTINGS.gradingMethod,
    includeIncomplete: Number(row.include_incomplete) !== 0,
    maxAttempts: Number.isInteger(max) && max >= 0 ? max : DEFAULT_SETTINGS.maxAttempts,
    showScores: oneOf(SHOW_SCORES, row.show_scores) ?? DEFAULT_SETTINGS.showScores,
    reportTiming: oneOf(REPORT_TIMINGS, row.report_timing) ?? DEFAULT_SETTINGS.reportTiming,
    reviewFrom: row.review_from === null ? null : Number(row.review_from),
    availableFrom: row.available_from === null ? null : Number(row.available_from),
    availableUntil: row.available_until === null ? null : Number(row.available_until),
    dueAt: row.due_at === null ? null : Number(row.due_at),
    emailReceipts: Number(row.email_receipts) !== 0,
  };
}

export function settingsToRow(s: ResourceSettings): ResourceSettingsRow {
  return {
    grading_method: s.gradingMethod,
    include_incomplete: s.includeIncomplete ? 1 : 0,
    max_attempts: s.maxAttempts,
    show_scores: s.showScores,
    report_timing: s.reportTiming,
    review_from: s.reviewFrom,
    available_from: s.availableFrom,
    available_until: s.availableUntil,
    due_at: s.dueAt,
    email_receipts: s.emailReceipts ? 1 : 0,
  };
}

/**
 * What the settings form posts. Dates are ISO 8601 date-times with a time zone (`Z` or `±HH:MM`),
 * or null/'' for "not set": a zone-less time would be read in the server's zone, not the instructor's.
 * maxAttempts may arrive as the text of a number field.
 */
export interface SettingsInput {
  gradingMethod: string;
  includeIncomplete: boolean;
  maxAttempts: number | string;
  showScores: string;
  reportTiming: string;
  reviewFrom: string | null;
  availableFrom: string | null;
  availableUntil: string | null;
  dueAt: string | null;
  emailReceipts: boolean;
}

const ISO_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

type DateParse = { ok: true; value: number | null } | { ok: false };

/** Date.parse alone accepts many non-ISO forms and rolls 31 February over, so the parts are checked first. */
export function parseSettingsDate(text: string | null | undefined): DateParse {
  if (text === null || text === undefined || text.trim() === '') return { ok: true, value: null };
  const m = ISO_DATE_TIME.exec(text.trim());
  if (!m) return { ok: false };
  const [year, month, day, hour, minute, second] = [m[1], m[2], m[3], m[4], m[5], m[6] ?? '0'].map(Number) as [number, number, number, number, number, number];
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth || hour > 23 || minute > 59 || second > 59) return { ok: false };
  const zone = m[7] ?? 'Z';
  if (zone !== 'Z' && (Number(zone.slice(1, 3)) > 23 || Number(zone.slice(4, 6)) > 59)) return { ok: false };
  const value = Date.parse(text.trim());
  return Number.isFinite(value) ? { ok: true, value } : { ok: false };
}

function formatInstant(ms: number): string {
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}

/** Checks the posted form; problems name a field and say what to do, notes explain valid but surprising choices. */
export function checkSettings(input: SettingsInput): SettingsCheck {
  const problems: SettingsProblem[] = [];
  const notes: string[] = [];

  const gradingMethod = oneOf(GRADING_METHODS, input.gradingMethod);
  if (!gradingMethod) problems.push({ field: 'gradingMethod', message: 'Choose highest score, last attempt or average of attempts.' });
  const showScores = oneOf(SHOW_SCORES, input.showScores);
  if (!showScores) problems.push({ field: 'showScores', message: 'Choose always, when the attempt is complete, when review is allowed, or never.' });
  const reportTiming = oneOf(REPORT_TIMINGS, input.reportTiming);
  if (!reportTiming) problems.push({ field: 'reportTiming', message: 'Choose immediately, on completion, or manually.' });
  if (typeof input.includeIncomplete !== 'boolean') problems.push({ field: 'includeIncomplete', message: 'Tick or untick "include incomplete attempts".' });
  if (typeof input.emailReceipts !== 'boolean') problems.push({ field: 'emailReceipts', message: 'Tick or untick "email attempt receipts".' });

  const maxText = typeof input.maxAttempts === 'string' ? input.maxAttempts.trim() : input.maxAttempts;
  const maxAttempts = typeof maxText === 'number' ? maxText : /^\d+$/.test(maxText) ? Number(maxText) : Number.NaN;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 0 || maxAttempts > MAX_ATTEMPTS_LIMIT) {
    problems.push({ field: 'maxAttempts', message: `Maximum attempts must be a whole number from 0 (unlimited) to ${MAX_ATTEMPTS_LIMIT}.` });
  }

  const dates = { reviewFrom: input.reviewFrom, availableFrom: input.availableFrom, availableUntil: input.availableUntil, dueAt: input.dueAt };
  const parsed: Record<keyof typeof dates, number | null> = { reviewFrom: null, availableFrom: null, availableUntil: null, dueAt: null };
  for (const field of Object.keys(dates) as Array<keyof typeof dates>) {
    const result = parseSettingsDate(dates[field]);
    if (result.ok) parsed[field] = result.value;
    else problems.push({ field, message: 'Give a date and time with a time zone, such as 2025-06-01T09:00:00Z, or leave it empty.' });
  }

  const { availableFrom: from, availableUntil: until, dueAt, reviewFrom } = parsed;
  if (from !== null && until !== null && from === until) {
    problems.push({ field: 'availableUntil', message: 'Available from and available until are the same moment, so the resource would never be available. Change one, or clear both.' });
  } else if (dueAt !== null) {
    const wrapped = from !== null && until !== null && from > until;
    const outside = wrapped
      ? dueAt > until && dueAt < from
      : (from !== null && dueAt < from) || (until !== null && dueAt > until);
    if (outside) problems.push({ field: 'dueAt', message: 'The due date falls when the resource is not available. Move it inside the availability window.' });
  }
  if (from !== null && until !== null && from > until) {
    notes.push(`Available from is later than available until: the resource is unavailable between ${formatInstant(until)} and ${formatInstant(from)}, and available before and after.`);
  }
  if (showScores === 'review' && reviewFrom === null) {
    notes.push('Scores are shown "when review is allowed" but no review date is set, so students see scores at once.');
  }

  if (problems.length > 0 || !gradingMethod || !showScores || !reportTiming) return { ok: false, problems };
  return {
    ok: true,
    notes,
    settings: {
      gradingMethod,
      includeIncomplete: input.includeIncomplete,
      maxAttempts,
      showScores,
      reportTiming,
      reviewFrom,
      availableFrom: from,
      availableUntil: until,
      dueAt,
      emailReceipts: input.emailReceipts,
    },
  };
}
