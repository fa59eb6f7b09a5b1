import type pg from 'pg';

/** Statement texts run as named prepared statements on PostgreSQL, with their names. */
const names = new Map<string, string>();

/**
 * Marks a statement text as worth preparing once per PostgreSQL connection. Only hot
 * statements of a fixed text are registered (never texts that vary with a list's length,
 * which would leave a prepared statement per length in every backend). Parsing and planning
 * the resume's one read cost about a millisecond every time (bench/attempts/resume-breakdown.ts).
 * SQLite needs nothing: its connection keeps statements prepared (sqlite-statement-cache.ts).
 */
export function prepareOnPostgres(text: string): void {
  if (!names.has(text)) names.set(text, `les_${names.size + 1}`);
}

type QueryFn = (text: unknown, values?: unknown, callback?: unknown) => unknown;

/**
 * Has a pool's connections run registered texts as named statements: node-postgres then
 * prepares each once per connection (in the same round trip as its first run) and later
 * only binds and executes it. Everything else goes through unchanged.
 */
export function preparingPool(pool: pg.Pool): pg.Pool {
  pool.on('connect', (client) => {
    const original = client.query.bind(client) as QueryFn;
    // Names this connection must no longer use: a migration changed a table the statement
    // selects every column of, and PostgreSQL refuses the old plan ("cached plan must not
    // change result type") for as long as the connection lives.
    const stale = new Set<string>();
    const query: QueryFn = (text, values, callback) => {
      const name = typeof text === 'string' && callback === undefined && Array.isArray(values) ? names.get(text) : undefined;
      if (name === undefined || stale.has(name)) return original(text, values, callback);
      return (original({ name, text, values }) as Promise<unknown>).catch((error: unknown) => {
        if ((error as { code?: unknown }).code !== '0A000') throw error;
        stale.add(name);
        return original(text, values);
      });
    };
    (client as unknown as { query: QueryFn }).query = query;
  });
  return pool;
}
