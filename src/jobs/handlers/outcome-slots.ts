import { TargetLimiter } from '../target-limiter.js';

/**
 * This node's polite limit toward each LMS, shared by every grade send (passback jobs and the
 * report-all job): at most LMS_CONCURRENCY requests at once per LMS origin.
 *
 * A passback job learns its LMS only when it reads the student's launch, while the runner must
 * name a job's target before it starts it. So the runner is told the origin last seen for the
 * job's resource (all of a resource's students normally come from one LMS), which lets it hand
 * busy-LMS jobs back instead of starting them; and the send itself always takes a slot here
 * for the origin it really calls, so the limit holds even when that guess is missing or wrong.
 */
export class OutcomeSlots {
  private readonly limiter: TargetLimiter;
  private readonly origins = new Map<number, string>();

  constructor(
    limit: number,
    /** Resources remembered; the oldest is forgotten beyond this. */
    private readonly remember = 10_000,
  ) {
    this.limiter = new TargetLimiter({ limit });
  }

  /** The LMS origin last used for a resource, or null. */
  originOf(resourceId: number | null): string | null {
    return resourceId === null ? null : (this.origins.get(resourceId) ?? null);
  }

  /** Waits for a slot toward `origin` (remembering it for the resource); resolves to its release. */
  acquire(resourceId: number, origin: string): Promise<() => void> {
    if (this.origins.get(resourceId) !== origin) {
      this.origins.delete(resourceId);
      this.origins.set(resourceId, origin);
      if (this.origins.size > this.remember) {
        const oldest = this.origins.keys().next().value;
        if (oldest !== undefined) this.origins.delete(oldest);
      }
    }
    return this.limiter.acquire(origin);
  }

  /** Requests in flight toward `origin` from this node. */
  active(origin: string): number {
    return this.limiter.active(origin);
  }
}
