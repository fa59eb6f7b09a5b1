import type { Kysely } from 'kysely';
import { type AccessChangeInput, checkAccessChange } from '../domain/access-change-input.js';
import type { LtiSession } from '../domain/session-token.js';
import { AppError } from '../lib/errors.js';
import type { Database } from '../store/schema.js';
import { enqueueApplyAccess } from './enqueue-apply-access.js';
import { requireInstructorResource } from './instructor-resource.js';
import { type AccessChangeView, accessChangeView } from './list-access-changes.js';

export interface CreatedAccessChange {
  change: AccessChangeView;
  notes: string[];
}

/**
 * Stores a per-student access change with its targets, and queues apply-access in the same
 * transaction: a change that closes the exam for a student ends their open attempt.
 * The caller wakes the job runner after this returns.
 */
export async function createAccessChange(db: Kysely<Database>, session: LtiSession, input: AccessChangeInput, now: number): Promise<CreatedAccessChange> {
  const resourceId = await requireInstructorResource(db, session);
  const check = checkAccessChange(input);
  if (!check.ok) {
    const message =
      check.problems.length === 1 ? `The access change was not saved: ${check.problems[0]?.message ?? ''}` : `The access change was not saved: ${check.problems.length} fields need attention.`;
    throw new AppError('bad_request', message, { problems: check.problems });
  }
  const { change } = check;
  const id = await db.transaction().execute(async (trx) => {
    const row = await trx
      .insertInto('access_changes')
      .values({
        resource_id: resourceId,
        description: change.description,
        available_from: change.availableFrom,
        available_until: change.availableUntil,
        extend_deadline_minutes: change.extendDeadlineMinutes,
        max_attempts: change.maxAttempts,
        duration_mode: change.duration.mode,
        duration_amount: change.duration.mode === 'minutes' || change.duration.mode === 'percent' ? change.duration.amount : null,
        created_by_user_id: session.userId,
        created_at: now,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await trx
      .insertInto('access_change_targets')
      .values(change.targets.map((t) => ({ access_change_id: row.id, kind: t.kind, value: t.value })))
      .execute();
    await enqueueApplyAccess(trx, resourceId, now);
    return row.id;
  });
  return { change: accessChangeView({ id, createdAt: now, ...change }), notes: check.notes };
}
