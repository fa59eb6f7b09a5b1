import { type Compilable, CompiledQuery, type Kysely } from 'kysely';
import { isSqlite } from '../dialect.js';
import { prepareOnPostgres } from '../prepared-statements.js';
import { isPreparedSize } from './chunks.js';

/**
 * Statements the group commit runs many times per transaction, or with thousands of rows,
 * compiled by Kysely once per shape and then reused with new parameters.
 *
 * Kysely builds a query at 1–2 µs per value and tens of microseconds per statement: for the
 * group commit (thousands of elements per transaction) the attempt benchmark measured
 * building the SQL at more CPU than SQLite spent running it (docs/performance.md). A
 * statement's text depends only on its shape (which columns, how many rows), so only the
 * parameters need binding.
 *
 * Safe by construction: a text is cached only when Kysely, building the first statement of
 * that shape, bound exactly the parameters the caller passes, in the same order; otherwise
 * that shape always goes through Kysely. Texts are kept per dialect adapter (one per
 * database), since SQLite and PostgreSQL spell them differently.
 */
export class CompiledShapes {
  private readonly texts = new WeakMap<object, Map<string, string | null>>();

  /**
   * `capacity`: shapes kept per database, most recently used first. A 1,000-row text is tens
   * of kilobytes, and a group can have any row count, so the cache must not keep them all.
   */
  constructor(private readonly capacity = 32) {}

  /**
   * `parameters`: what Kysely would bind for this statement, in order; null when the caller
   * cannot tell (then Kysely builds it). `build` makes the statement when needed. `prepare`:
   * on PostgreSQL, run the shape's text as a named prepared statement (prepared-statements.ts);
   * only for a bounded set of shapes (chunks.ts PREPARED_SIZES), as each is kept by every
   * connection that runs it.
   */
  compile<DB>(db: Kysely<DB>, shape: string, parameters: unknown[] | null, build: () => Compilable<unknown>, prepare = false): CompiledQuery<unknown> {
    const adapter = db.getExecutor().adapter;
    let byShape = this.texts.get(adapter);
    if (!byShape) {
      byShape = new Map();
      this.texts.set(adapter, byShape);
    }
    const text = parameters === null ? undefined : byShape.get(shape);
    if (text !== undefined) {
      // Map order is insertion order: re-inserting marks it most recently used.
      byShape.delete(shape);
      byShape.set(shape, text);
    }
    if (text) return CompiledQuery.raw(text, parameters as unknown[]);
    const compiled = build().compile();
    if (parameters !== null && text === undefined) {
      const same = compiled.parameters.length === parameters.length && compiled.parameters.every((p, i) => p === parameters[i]);
      // Not the shape we assumed (a plugin, a changed builder): never reuse this shape's text.
      byShape.set(shape, same ? compiled.sql : null);
      if (same && prepare && !isSqlite(db)) prepareOnPostgres(compiled.sql);
      if (byShape.size > this.capacity) {
        const oldest = byShape.keys().next();
        if (!oldest.done) byShape.delete(oldest.value);
      }
    }
    return compiled;
  }
}

/** A multi-row INSERT of `columns`, whose text depends only on its row count. */
export class CompiledInsert<R extends object> {
  private readonly shapes = new CompiledShapes();

  constructor(
    private readonly columns: ReadonlyArray<keyof R & string>,
    private readonly build: (db: Kysely<never>, rows: R[]) => Compilable<unknown>,
  ) {}

  compile<DB>(db: Kysely<DB>, rows: R[]): CompiledQuery<unknown> {
    return this.shapes.compile(db, String(rows.length), this.bind(rows), () => this.build(db as unknown as Kysely<never>, rows), isPreparedSize(rows.length));
  }

  /** The parameters in Kysely's order (row by row, column by column), or null if a row is not of the shape. */
  private bind(rows: R[]): unknown[] | null {
    const out: unknown[] = new Array(rows.length * this.columns.length);
    let i = 0;
    for (const row of rows) {
      let keys = 0;
      for (const key in row) if (Object.hasOwn(row, key)) keys++;
      if (keys !== this.columns.length) return null;
      for (const column of this.columns) {
        const value = (row as Record<string, unknown>)[column];
        if (value === undefined) return null;
        out[i++] = value;
      }
    }
    return out;
  }
}
