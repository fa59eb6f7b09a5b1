import type { Insertable, Kysely } from 'kysely';
import type { Database } from '../schema.js';
import type { GradeReportsTable, GradeStateRow, GradeStatus } from '../tables/grades.js';

type Db = Kysely<Database>;

/** Long LMS answers (an HTML error page) are cut: the audit row is for reading, not archiving. */
const DETAIL_MAX = 2000;

export function clipDetail(text: string | null): string | null {
  if (text === null) return null;
  return text.length > DETAIL_MAX ? `${text.slice(0, DETAIL_MAX)}…` : text;
}

export async function insertGradeReport(db: Db, row: Insertable<GradeReportsTable>): Promise<void> {
  await db.insertInto('grade_reports').values({ ...row, detail: clipDetail(row.detail ?? null) }).execute();
}

export async function getGradeState(db: Db, resourceId: number, userId: number): Promise<GradeStateRow | undefined> {
  return db.selectFrom('grade_states').selectAll().where('resource_id', '=', resourceId).where('user_id', '=', userId).executeTakeFirst();
}

interface Target {
  resourceId: number;
  userId: number;
  /** The grade version the caller read and acted on. */
  version: number;
}

/**
 * Records that `version` reached the LMS. Conditional: a row that already records this or a
 * newer version as sent is left alone, so a slow send finishing late never overwrites the
 * record of a newer one. Returns false when it was left alone.
 */
export async function markGradeSent(db: Db, t: Target & { score: number; now: number }): Promise<boolean> {
  const result = await db
    .updateTable('grade_states')
    .set({ sent_score: t.score, sent_version: t.version, sent_at: t.now, status: 'sent', last_error: null, updated_at: t.now })
    .where('resource_id', '=', t.resourceId)
    .where('user_id', '=', t.userId)
    .where((eb) => eb.or([eb('sent_version', 'is', null), eb('sent_version', '<', t.version)]))
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/**
 * Sets the status (and error) for `version`, unless a newer or equal version is already
 * recorded as sent: a failure of an old grade must not hide that a newer one arrived.
 */
export async function markGradeStatus(db: Db, t: Target & { status: Exclude<GradeStatus, 'sent'>; error: string | null; now: number }): Promise<boolean> {
  const result = await db
    .updateTable('grade_states')
    .set({ status: t.status, last_error: clipDetail(t.error), updated_at: t.now })
    .where('resource_id', '=', t.resourceId)
    .where('user_id', '=', t.userId)
    .where((eb) => eb.or([eb('sent_version', 'is', null), eb('sent_version', '<', t.version)]))
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/**
 * Marks many students' grades as queued (a report of everyone was asked for), creating rows
 * for those who have none yet. Their current status is overwritten: the new request is what
 * the dashboard should show.
 */
export async function markGradesQueued(db: Db, resourceId: number, userIds: number[], now: number): Promise<void> {
  const CHUNK = 500;
  for (let i = 0; i < userIds.length; i += CHUNK) {
    const rows = userIds.slice(i, i + CHUNK).map((userId) => ({ resource_id: resourceId, user_id: userId, score: null, version: 0, status: 'queued' as const, updated_at: now }));
    await db
      .insertInto('grade_states')
      .values(rows)
      .onConflict((oc) => oc.columns(['resource_id', 'user_id']).doUpdateSet({ status: 'queued', updated_at: now }))
      .execute();
  }
}
