/** Checks for JSON the server sends, shared by every API module of the web app. */

export const NOT_UNDERSTOOD = 'The server sent an answer this page does not understand.';
export const UNREACHABLE = 'The server could not be reached. Check your connection and try again.';

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function isNullableString(value: unknown): value is string | null {
  return value === null || typeof value === 'string';
}

export function isNullableNumber(value: unknown): value is number | null {
  return value === null || typeof value === 'number';
}

export function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((v) => typeof v === 'string');
}
