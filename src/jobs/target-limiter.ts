/** Gives back a slot taken from a TargetLimiter; calling it again does nothing. */
export type ReleaseSlot = () => void;

export interface TargetLimiterOptions {
  /** Slots per target unless `limitFor` says otherwise. */
  limit: number;
  /** A different limit for some targets (an LMS that asked for more or less). */
  limitFor?: (target: string) => number;
}

interface Slots {
  active: number;
  waiters: Array<(release: ReleaseSlot) => void>;
}

/**
 * A keyed semaphore: at most `limit` holders per target (an LMS origin), so a node is polite
 * to each LMS however many jobs for it are due. Per node: N nodes allow N × limit in all.
 */
export class TargetLimiter {
  private readonly targets = new Map<string, Slots>();

  constructor(private readonly options: TargetLimiterOptions) {}

  limitOf(target: string): number {
    return Math.max(1, this.options.limitFor?.(target) ?? this.options.limit);
  }

  /** Slots of `target` in use now. */
  active(target: string): number {
    return this.targets.get(target)?.active ?? 0;
  }

  /** A slot now, or null when the target is at its limit. */
  tryAcquire(target: string): ReleaseSlot | null {
    const slots = this.slots(target);
    if (slots.active >= this.limitOf(target)) return null;
    slots.active++;
    return this.releaser(target, slots);
  }

  /** A slot, waiting in arrival order when the target is at its limit. */
  acquire(target: string): Promise<ReleaseSlot> {
    const now = this.tryAcquire(target);
    if (now) return Promise.resolve(now);
    return new Promise((resolve) => this.slots(target).waiters.push(resolve));
  }

  private slots(target: string): Slots {
    let slots = this.targets.get(target);
    if (!slots) {
      slots = { active: 0, waiters: [] };
      this.targets.set(target, slots);
    }
    return slots;
  }

  private releaser(target: string, slots: Slots): ReleaseSlot {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = slots.waiters.shift();
      // The slot passes straight to the next waiter: nobody can slip in between.
      if (next) next(this.releaser(target, slots));
      else if (--slots.active === 0) this.targets.delete(target);
    };
  }
}
