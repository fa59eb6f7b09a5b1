import { applyAccess } from '../../commands/apply-access.js';
import type { ApplyAccessPayload } from '../../commands/enqueue-apply-access.js';
import type { EventHub, HubEvent } from '../../store/event-hub.js';
import type { Store } from '../../store/database.js';
import type { JobHandler } from '../job-handler.js';

const PUBLISH_BATCH = 50;

function isPayload(value: unknown): value is ApplyAccessPayload {
  return typeof value === 'object' && value !== null && Number.isInteger((value as { resourceId?: unknown }).resourceId);
}

/**
 * Applies a resource's rules to its open attempts (src/commands/apply-access.ts), then tells the
 * windows: `attempt-ended` for each attempt it ended, `deadline-changed` for each whose deadline
 * moved. Events go out after the commit, so a window never hears of an end that was rolled back;
 * if this node dies in between, the attempt is ended all the same and its window learns at its
 * next batch (refused as ended).
 */
export function applyAccessHandler(services: { store: Store; events: EventHub }): JobHandler {
  return {
    async run(context) {
      if (!isPayload(context.payload)) return { status: 'failed', error: 'The apply-access payload has no resourceId.' };
      const outcome = await applyAccess(services.store.db, context.payload.resourceId, context.now());
      if (outcome === null) return { status: 'done', result: { skipped: 'the resource no longer exists' } };
      const events: HubEvent[] = [
        ...outcome.ended.map(({ attemptId, reason }): HubEvent => ({ type: 'attempt-ended', attemptId, reason })),
        ...outcome.deadlines.map(({ attemptId, deadline, message }): HubEvent => ({ type: 'deadline-changed', attemptId, deadline, message })),
      ];
      // A few at a time: a whole class's windows are told quickly without flooding the hub's connections.
      for (let i = 0; i < events.length; i += PUBLISH_BATCH) {
        await Promise.all(events.slice(i, i + PUBLISH_BATCH).map((event) => services.events.publish(event)));
      }
      return { status: 'done', result: outcome.snapshot };
    },
  };
}
