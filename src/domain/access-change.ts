import type { ResourceSettings } from './resource-settings.js';

/** How an access change alters the exam's own time limit. */
export type DurationChange =
  | { mode: 'none' }
  | { mode: 'minutes'; amount: number }
  | { mode: 'percent'; amount: number }
  | { mode: 'disable' };

/** A per-student override of a resource's rules; null fields keep the resource's value. */
export interface AccessChange {
  id: number;
  createdAt: number;
  description: string;
  availableFrom: number | null;
  availableUntil: number | null;
  extendDeadlineMinutes: number | null;
  /** 0 means unlimited, not "no change" (null is no change). */
  maxAttempts: number | null;
  duration: DurationChange;
  targets: Array<{ kind: 'username' | 'email'; value: string }>;
}

/** Who the LMS said the student is. */
export interface Person {
  username: string | null;
  email: string | null;
}

/** The rules one student actually gets at one resource, after access changes and tokens. */
export interface EffectiveAccess {
  availableFrom: number | null;
  availableUntil: number | null;
  dueAt: number | null;
  /** 0 = unlimited. */
  maxAttempts: number;
  /** One per access token the student holds. */
  extraAttempts: number;
  duration: DurationChange;
  /** The changes that apply, oldest first. */
  changeIds: number[];
}

const MINUTE_MS = 60_000;

/** Usernames are identifiers and compare exactly; email addresses are compared case-insensitively as people type them in any case. */
export function appliesTo(change: AccessChange, person: Person): boolean {
  const username = person.username?.trim() ?? '';
  const email = person.email?.trim().toLowerCase() ?? '';
  return change.targets.some((t) => {
    const value = t.value.trim();
    if (value === '') return false;
    return t.kind === 'username' ? value === username : value.toLowerCase() === email;
  });
}

function touchesDates(c: AccessChange): boolean {
  return c.availableFrom !== null || c.availableUntil !== null || c.extendDeadlineMinutes !== null;
}

/** Creation order; the id breaks ties between changes created in the same millisecond. */
function byCreation(a: AccessChange, b: AccessChange): number {
  return a.createdAt - b.createdAt || a.id - b.id;
}

function applyDates(settings: ResourceSettings, change: AccessChange | undefined): Pick<EffectiveAccess, 'availableFrom' | 'availableUntil' | 'dueAt'> {
  if (!change) return { availableFrom: settings.availableFrom, availableUntil: settings.availableUntil, dueAt: settings.dueAt };
  const availableFrom = change.availableFrom ?? settings.availableFrom;
  let availableUntil = change.availableUntil ?? settings.availableUntil;
  let dueAt = settings.dueAt;
  const extend = change.extendDeadlineMinutes;
  if (extend !== null && extend !== 0) {
    const wasWrapped = availableFrom !== null && availableUntil !== null && availableFrom > availableUntil;
    if (availableUntil !== null) availableUntil += extend * MINUTE_MS;
    if (dueAt !== null) dueAt += extend * MINUTE_MS;
    // Extending the end of a wrapped window past its re-opening leaves no gap at all: always available,
    // not the narrow window [from, until) that the two dates would otherwise mean.
    if (wasWrapped && availableFrom !== null && availableUntil !== null && availableUntil >= availableFrom) {
      return { availableFrom: null, availableUntil: null, dueAt };
    }
  }
  return { availableFrom, availableUntil, dueAt };
}

/** 0 (unlimited) beats every number, otherwise the greatest allowance wins. */
function greatestAllowance(values: number[]): number {
  if (values.some((v) => v === 0)) return 0;
  return Math.max(...values);
}

export function effectiveAccess(settings: ResourceSettings, changes: AccessChange[], person: Person, accessTokens: number): EffectiveAccess {
  const applying = changes.filter((c) => appliesTo(c, person)).sort(byCreation);
  const lastDates = applying.filter(touchesDates).at(-1);
  const lastDuration = applying.filter((c) => c.duration.mode !== 'none').at(-1);
  const allowances = [settings.maxAttempts, ...applying.map((c) => c.maxAttempts).filter((m): m is number => m !== null)];
  return {
    ...applyDates(settings, lastDates),
    maxAttempts: greatestAllowance(allowances),
    extraAttempts: Math.max(0, accessTokens),
    duration: lastDuration?.duration ?? { mode: 'none' },
    changeIds: applying.map((c) => c.id),
  };
}
