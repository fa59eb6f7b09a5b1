import type { Kysely } from 'kysely';
import { type SettingsInput, checkSettings, settingsToRow } from '../domain/resource-settings.js';
import type { LtiSession } from '../domain/session-token.js';
import { AppError } from '../lib/errors.js';
import type { Database } from '../store/schema.js';
import { enqueueApplyAccess } from './enqueue-apply-access.js';
import { requireInstructorResource } from './instructor-resource.js';
import { type SettingsAnswer, settingsView } from './read-resource-settings.js';

/**
 * Saves a resource's settings when they pass the check; otherwise nothing changes and the
 * problems go back field by field. The apply-access job is queued in the same transaction, so
 * open attempts learn of new dates (or end) exactly when the new settings are visible.
 * The caller wakes the job runner after this returns.
 */
export async function updateResourceSettings(db: Kysely<Database>, session: LtiSession, input: SettingsInput, now: number): Promise<SettingsAnswer> {
  const resourceId = await requireInstructorResource(db, session);
  const check = checkSettings(input);
  if (!check.ok) {
    const first = check.problems[0]?.message ?? '';
    const message = check.problems.length === 1 ? `The settings were not saved: ${first}` : `The settings were not saved: ${check.problems.length} fields need attention.`;
    throw new AppError('bad_request', message, { problems: check.problems });
  }
  await db.transaction().execute(async (trx) => {
    await trx
      .updateTable('resources')
      .set({ ...settingsToRow(check.settings), updated_at: now })
      .where('id', '=', resourceId)
      .execute();
    await enqueueApplyAccess(trx, resourceId, now);
  });
  return { settings: settingsView(check.settings), notes: check.notes };
}
