import type { Kysely } from 'kysely';
import { enqueueJob } from '../store/repositories/jobs.js';
import type { Database } from '../store/schema.js';

export const APPLY_ACCESS_KIND = 'apply-access';

/** How long an apply-access run may keep failing before it is given up (the next change queues it again). */
const APPLY_ACCESS_DEADLINE_MS = 24 * 60 * 60_000;

export interface ApplyAccessPayload {
  resourceId: number;
}

export function applyAccessKey(resourceId: number): string {
  return `${APPLY_ACCESS_KIND}:${resourceId}`;
}

/**
 * Queues the job that applies a resource's rules to its open attempts (ends those no longer
 * available, announces moved deadlines, refreshes grades). Call it in the same transaction as any
 * change to the resource's settings, access changes or access tokens, then wake the job runner
 * after the commit. Requests coalesce on the resource: a pending run keeps the earlier run_at.
 */
export async function enqueueApplyAccess(trx: Kysely<Database>, resourceId: number, now: number, runAt: number = now): Promise<void> {
  const payload: ApplyAccessPayload = { resourceId };
  await enqueueJob(
    trx,
    { kind: APPLY_ACCESS_KIND, key: applyAccessKey(resourceId), payload, runAt, deadlineAt: runAt + APPLY_ACCESS_DEADLINE_MS, resourceId },
    now,
  );
}
