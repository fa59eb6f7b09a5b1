/**
 * The writer's memory of client sessions' ranks (`attempt_sessions.opened_at`), so a group
 * commit need not read them back for attempts it has written before. A session's row, once
 * committed, never changes its `opened_at` and is never removed while its attempt exists, so
 * a remembered rank cannot go stale; only ranks read from the database or committed by the
 * writer itself are remembered (`remember` after commit), never those of a transaction that
 * may still roll back. At saturation the read was one statement and a row per answer
 * (docs/performance.md).
 */
const DEFAULT_CAPACITY = 50_000;

export class SessionRankCache {
  private readonly ranks = new Map<string, number>();

  constructor(private readonly capacity = DEFAULT_CAPACITY) {}

  get(attemptId: number, sessionId: string): number | undefined {
    return this.ranks.get(sessionKey(attemptId, sessionId));
  }

  remember(attemptId: number, sessionId: string, openedAt: number): void {
    const key = sessionKey(attemptId, sessionId);
    // Map order is insertion order: re-inserting marks it most recently used.
    this.ranks.delete(key);
    this.ranks.set(key, openedAt);
    if (this.ranks.size > this.capacity) {
      const oldest = this.ranks.keys().next();
      if (!oldest.done) this.ranks.delete(oldest.value);
    }
  }
}

export function sessionKey(attemptId: number, sessionId: string): string {
  return `${attemptId}\u0000${sessionId}`;
}
