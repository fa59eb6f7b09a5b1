/**
 * When a resource can be taken. Both bounds are optional; from later than until is a "wrapped"
 * window: unavailable between until and from, available before and after (as instructors use for
 * hiding practice material during an exam period). Times are epoch milliseconds.
 */
export interface AvailabilityWindow {
  availableFrom: number | null;
  availableUntil: number | null;
}

function isWrapped(w: AvailabilityWindow): boolean {
  return w.availableFrom !== null && w.availableUntil !== null && w.availableFrom > w.availableUntil;
}

/** from is inclusive and until exclusive, so a window ending when the next begins never overlaps. */
export function isAvailable(w: AvailabilityWindow, now: number): boolean {
  const { availableFrom: from, availableUntil: until } = w;
  if (from === null && until === null) return true;
  if (until === null) return now >= (from as number);
  if (from === null) return now < until;
  if (from <= until) return from <= now && now < until;
  return now < until || now >= from;
}

/** The next instant after `now` at which isAvailable changes, or null when it never will (for scheduling sweeps). */
export function nextAvailabilityChange(w: AvailabilityWindow, now: number): number | null {
  const { availableFrom: from, availableUntil: until } = w;
  if (from !== null && until !== null && from === until) return null; // never available: nothing flips
  const candidates = [from, until].filter((t): t is number => t !== null && t > now).sort((a, b) => a - b);
  const current = isAvailable(w, now);
  for (const t of candidates) {
    if (isAvailable(w, t) !== current) return t;
  }
  return null;
}

/** True once the student can no longer take the resource and never will again (a wrapped window re-opens, so it never ends). */
export function availabilityEnded(w: AvailabilityWindow, now: number): boolean {
  return w.availableUntil !== null && now >= w.availableUntil && !isWrapped(w);
}
