/**
 * Dates on the instructor's forms: `<input type="datetime-local">` holds the browser's local
 * time without a zone; the server takes and gives ISO 8601 instants. Converting here, in the
 * browser, is what makes "9:00" mean 9:00 where the instructor is.
 */

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/** The datetime-local value for an ISO instant ('' when none). */
export function localInputValue(iso: string | null): string {
  if (iso === null || iso === '') return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/**
 * The ISO instant for a datetime-local value; null when empty. A value the browser could not
 * read is sent as typed, so that the server names the field that is wrong.
 */
export function isoFromLocalInput(value: string): string | null {
  const text = value.trim();
  if (text === '') return null;
  const d = new Date(text);
  return Number.isNaN(d.getTime()) ? text : d.toISOString();
}

/** An instant in the reader's own terms. */
export function formatInstant(iso: string | null): string {
  if (iso === null) return '';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

/** The browser's time zone name, to say which zone the date fields are in. */
export function localZoneName(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'your local time';
  } catch {
    return 'your local time';
  }
}
