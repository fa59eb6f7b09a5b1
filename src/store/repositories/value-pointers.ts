import { decodeHistoryElements } from './attempt-history.js';

/**
 * Long values are not copied into `attempt_values`: the row points at the history batch that
 * holds the value (migration 0009-values-in-history). Numbas rewrites a suspend_data of a few
 * kilobytes on every answer, and the copy was a third of the value upsert's time on
 * PostgreSQL (docs/performance.md). Values up to this many characters are kept inline.
 */
export const INLINE_VALUE_LIMIT = 512;

/** Whether a value is kept in the history only. State keys never are: the state reads take `value` as it is. */
export function pointsToHistory(value: string, mayPoint: boolean): boolean {
  return mayPoint && value.length > INLINE_VALUE_LIMIT;
}

/** A stored current value: `elements` is its history batch's, when the row points at one. */
export interface StoredValue {
  key: string;
  value: string;
  history_session_id: string | null;
  elements: string | null;
}

/**
 * The values themselves: a pointing row gives the last write of its key in its batch, which is
 * the write the writer kept (a later write in the same batch wins). Each batch is decoded once.
 */
export function resolveValues(rows: StoredValue[]): Array<{ key: string; value: string }> {
  const decoded = new Map<string, Map<string, string>>();
  return rows.map((row) => {
    if (row.history_session_id === null) return { key: row.key, value: row.value };
    if (row.elements === null) throw new Error(`the value of ${row.key} points at a history batch that is not there`);
    let last = decoded.get(row.elements);
    if (!last) {
      last = new Map(decodeHistoryElements(row.elements).map((e) => [e.k, e.v]));
      decoded.set(row.elements, last);
    }
    const value = last.get(row.key);
    if (value === undefined) throw new Error(`the history batch that ${row.key} points at does not set it`);
    return { key: row.key, value };
  });
}
