import type { Kysely } from 'kysely';

/**
 * Frozen: the LTI 1.3 `sub` of each launch. A launch with a verified lti1p1 claim is recorded
 * under the LTI 1.1 user id (so the student finds their attempts), but the platform's services
 * (AGS scores and results, NRPS members) know the student by the 1.3 `sub` alone. Nullable:
 * launches recorded before this column keep their user's id, which was their `sub`.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('launch_services').addColumn('subject', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('launch_services').dropColumn('subject').execute();
}
