import { type QuestionMemo, objectiveIndex } from '../domain/attempt-state.js';
import { SessionRankCache } from './session-rank-cache.js';

/**
 * The writer's memory of each attempt's state-deciding current values (status, scores,
 * objectives: `isStateKey`), so re-deriving an attempt's state after an answer does not read
 * them back from the database. The attempt benchmark measured that read at about a fifth of
 * the server's time at saturation (docs/performance.md): with 20 questions it is 66 rows per
 * answer.
 *
 * Never trusted blindly. An entry records `attempts.element_count` as it was after the
 * transaction that last wrote the attempt, and is used only while the database still says
 * the same: every write of elements, from this node or another, goes through the group
 * commit and adds to that count in the same transaction, so any write this node did not see
 * makes the entry a miss (then the values are read from the database, as without a cache).
 * Entries are taken out while a transaction uses them and put back only after it commits,
 * so a rolled-back transaction leaves nothing behind.
 *
 * Nothing here is needed by another node: losing the cache (a restart) only costs reads.
 */
export interface StateValues {
  /** key → current value. */
  values: Map<string, string>;
  /** key → the write order of that value (session rank, then seq), as in attempt_values. */
  order: Map<string, { rank: number; seq: number }>;
  /** Questions derived from these values; applyWrite forgets the one a write changes. */
  questions: QuestionMemo;
}

interface Entry {
  elementCount: number;
  state: StateValues;
}

/**
 * Attempts kept. Measured on V8 heap for an exam of 20 questions (81 state values): about 14 KB
 * an attempt, 19 KB with its derived questions kept too, so a full cache is about 390 MiB.
 * A node serving fewer attempts at once holds only those.
 */
const DEFAULT_CAPACITY = 20_000;

export class AttemptStateCache {
  private readonly entries = new Map<number, Entry>();
  /** Client sessions' ranks, kept beside the values by the same writer (session-rank-cache.ts). */
  readonly ranks = new SessionRankCache();

  constructor(private readonly capacity = DEFAULT_CAPACITY) {}

  /**
   * Takes an attempt's entry out, if it matches the database's element count (read in the
   * caller's transaction). The caller owns it from now on and `put`s it back after commit.
   */
  take(attemptId: number, elementCount: number): StateValues | null {
    const entry = this.entries.get(attemptId);
    if (!entry) return null;
    this.entries.delete(attemptId);
    return entry.elementCount === elementCount ? entry.state : null;
  }

  /** Keeps an attempt's values as committed, with its element count after that commit. */
  put(attemptId: number, elementCount: number, state: StateValues): void {
    // Map order is insertion order: re-inserting marks it most recently used.
    this.entries.delete(attemptId);
    this.entries.set(attemptId, { elementCount, state });
    if (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
  }

  get size(): number {
    return this.entries.size;
  }
}

/**
 * Applies one write to state values with the rule of the attempt_values upsert: a value
 * replaces the held one only if written by a later session, or by the same session at the
 * same or a later seq.
 */
export function applyWrite(state: StateValues, key: string, value: string, rank: number, seq: number): void {
  const held = state.order.get(key);
  if (held && (rank < held.rank || (rank === held.rank && seq < held.seq))) return;
  state.values.set(key, value);
  state.order.set(key, { rank, seq });
  const objective = objectiveIndex(key);
  if (objective !== null) state.questions.delete(objective);
}
