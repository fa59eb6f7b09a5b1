/** The first retry comes after about this long... */
export const RETRY_BASE_MS = 5_000;
/** ...and the wait doubles with each try up to this: an LMS that is down for a day is asked about once an hour. */
export const RETRY_CAP_MS = 60 * 60 * 1000;

/**
 * How long to wait after the `tries`-th failed try (1 for the first). Exponential from
 * RETRY_BASE_MS, doubling, capped at RETRY_CAP_MS, with "equal jitter": half the wait is fixed
 * and half random. The fixed half keeps a failing target from being asked again right away;
 * the random half spreads the retries of many jobs that failed together (one LMS outage), so
 * they do not all come back at the same instant. `random` is in [0, 1).
 */
export function retryDelayMs(tries: number, random: number): number {
  const exponent = Math.min(Math.max(1, Math.floor(tries)) - 1, 30);
  const ceiling = Math.min(RETRY_CAP_MS, RETRY_BASE_MS * 2 ** exponent);
  const jitter = Math.min(Math.max(random, 0), 1);
  return Math.round(ceiling / 2 + (jitter * ceiling) / 2);
}

export type RetryDecision = { retry: true; runAt: number } | { retry: false };

/**
 * After a failed try: when to try again, or give up. The last try happens at the deadline
 * itself rather than never, so a target that comes back just before the deadline still gets
 * it; a failure at or after the deadline gives up. `minDelayMs` honours a target that asked
 * for a pause (Retry-After).
 */
export function nextRunOrGiveUp(tries: number, now: number, deadlineAt: number, random: number, minDelayMs = 0): RetryDecision {
  if (now >= deadlineAt) return { retry: false };
  const delay = Math.max(retryDelayMs(tries, random), minDelayMs);
  return { retry: true, runAt: Math.min(now + delay, deadlineAt) };
}
