import type { Config } from '../../config.js';
import type { SecretBox } from '../../lib/secret-box.js';
import type { Store } from '../../store/database.js';
import type { EventHub } from '../../store/event-hub.js';
import type { JobHandlers } from '../job-handler.js';
import { APPLY_ACCESS_KIND } from '../../commands/enqueue-apply-access.js';
import { AGS_STATUS_KIND, agsStatusHandler } from './ags-status.js';
import { applyAccessHandler } from './apply-access.js';
import { GRADE_PASSBACK_KIND, gradePassbackHandler } from './grade-passback.js';
import { OutcomeSlots } from './outcome-slots.js';
import { REPORT_ALL_KIND, reportAllHandler } from './report-all.js';

/**
 * What job handlers may use: the parts of the app's services that exist outside HTTP.
 * (The app's Services satisfies this; jobs do not import from http.)
 */
export interface JobHandlerServices {
  config: Config;
  store: Store;
  secretBox: SecretBox;
  events: EventHub;
  now: () => number;
}

/**
 * The handlers this node runs, by job kind. A node claims only the kinds listed here, so the
 * map must be the same on every node.
 */
export function registerJobHandlers(services: JobHandlerServices): JobHandlers {
  // One per node, shared by every grade send: LMS_CONCURRENCY requests at once per LMS origin.
  const outcomeSlots = new OutcomeSlots(services.config.lmsConcurrency);
  return {
    [AGS_STATUS_KIND]: agsStatusHandler(services, outcomeSlots),
    [APPLY_ACCESS_KIND]: applyAccessHandler(services),
    [GRADE_PASSBACK_KIND]: gradePassbackHandler(services, outcomeSlots),
    [REPORT_ALL_KIND]: reportAllHandler(services, outcomeSlots),
  };
}
