/** Rows per multi-row statement: under SQLite's 32,766 and PostgreSQL's 65,535 bound parameters. */
const CHUNK = 1000;

/** Rows in pieces of CHUNK, one multi-row statement each. */
export function chunks<T>(rows: T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += CHUNK) out.push(rows.slice(i, i + CHUNK));
  return out;
}

/**
 * The row counts the group commit's statements come in (sizedChunks), largest first. Each is
 * prepared once per PostgreSQL connection and then only bound and run (prepared-statements.ts):
 * parsing and planning a statement of a thousand rows cost PostgreSQL about as much as a
 * third of running it (docs/performance.md). A few fixed sizes keep the prepared statements
 * few, whatever row count a group has.
 */
export const PREPARED_SIZES: readonly number[] = [CHUNK, 500, 250, 100, 50];

/**
 * Rows in pieces of the sizes in PREPARED_SIZES, largest first, and what is left (under the
 * smallest) in one last piece: 2,640 rows are 1,000 + 1,000 + 500 + 100 + 40.
 */
export function sizedChunks<T>(rows: T[]): T[][] {
  const out: T[][] = [];
  let at = 0;
  for (const size of PREPARED_SIZES) {
    while (rows.length - at >= size) {
      out.push(rows.slice(at, at + size));
      at += size;
    }
  }
  if (at < rows.length) out.push(rows.slice(at));
  return out;
}

/** Whether a piece of this many rows has a size that is prepared. */
export function isPreparedSize(rows: number): boolean {
  return PREPARED_SIZES.includes(rows);
}
