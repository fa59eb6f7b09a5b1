import type { Generated, Selectable } from 'kysely';

/** One attempt at a resource by one user; its state is derived from the elements it stores. */
export interface AttemptsTable {
  id: Generated<number>;
  resource_id: number;
  user_id: number;
  package_version_id: number;
  started_at: number;
  /** Set when the attempt is over: students can no longer write to it. */
  ended_at: number | null;
  /** The seq of the terminate batch that ended it (its window's earlier batches still count). */
  ended_seq: number | null;
  /** Why the server ended it (e.g. availability ended); null when the exam ended it. */
  end_reason: Generated<string | null>;
  completion_status: string | null;
  success_status: string | null;
  score_raw: number | null;
  score_min: number | null;
  score_max: number | null;
  score_scaled: number | null;
  /** Sum over client sessions of each session's latest session_time. */
  time_spent_ms: number;
  /** JSON: [{ id, raw, min, max, scaled }] from cmi.objectives.N. */
  question_scores: string | null;
  /** The client session (window) that may write; opening the attempt elsewhere replaces it. */
  current_session_id: string | null;
  element_count: number;
  updated_at: number;
}

/**
 * Every value ever set, in order: the attempt's full history, one row per stored batch.
 * Append-only. The row is also the batch's idempotency record: (attempt, session, seq) is
 * unique, so a resent batch is acknowledged without being applied twice.
 */
export interface AttemptHistoryTable {
  id: Generated<number>;
  attempt_id: number;
  session_id: string;
  seq: number;
  /** Server time the batch was stored, epoch ms. */
  received_at: number;
  /** The batch's elements in the order they were set: JSON `[[key, value, clientTime | null], …]` (repositories/attempt-history.ts). */
  elements: string;
}

/** The current value of each element, so resuming costs one read however long the history. */
export interface AttemptValuesTable {
  attempt_id: number;
  key: string;
  value: string;
  updated_at: number;
  /** When the client session that wrote it was opened: a newer session's writes win. */
  session_rank: number;
  /** The batch seq that wrote it: within one session, a later batch wins. */
  seq: number;
  /**
   * Set for a long value kept only in the history: the value is the last write of `key` in
   * the batch (attempt_id, history_session_id, seq), and `value` is empty
   * (repositories/attempt-data.ts).
   */
  history_session_id: string | null;
}

/** Per client session: its latest session_time, summed into the attempt's time spent. */
export interface AttemptSessionsTable {
  attempt_id: number;
  session_id: string;
  opened_at: number;
  session_time_ms: number;
}

export type AttemptRow = Selectable<AttemptsTable>;
