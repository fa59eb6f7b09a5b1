/**
 * Takes turns at SQLite's one write lock between the serving connection (on the event loop)
 * and the attempt writer's thread, without ever blocking the event loop.
 *
 * better-sqlite3 is synchronous: a statement that meets the other connection's write lock
 * waits inside SQLite's busy handler, and the whole event loop sleeps with it. Under load
 * the writer thread holds the lock for a group commit of a thousand batches (100–200 ms):
 * the job runner's BEGIN IMMEDIATE then froze the event loop for that long, so no
 * acknowledgement went out and no next group was handed over, and a turn that kept losing
 * the race ran into the busy timeout (docs/performance.md). With the gate, the event loop
 * awaits its turn instead, and the lock is always free when a turn starts.
 *
 * Turns are first come, first served. A holder must not wait for another turn while holding
 * one (a transaction must not await the attempt writer): that would never end.
 */
export class SqliteWriteGate {
  private held = false;
  private readonly waiting: Array<() => void> = [];

  /** Resolves with the function that ends this turn (call it exactly once). */
  acquire(): Promise<() => void> {
    if (!this.held) {
      this.held = true;
      return Promise.resolve(this.releaser());
    }
    return new Promise((resolve) => this.waiting.push(() => resolve(this.releaser())));
  }

  /** Turns waiting, for monitoring and tests. */
  get queued(): number {
    return this.waiting.length;
  }

  get busy(): boolean {
    return this.held;
  }

  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting.shift();
      if (next) next();
      else this.held = false;
    };
  }
}
