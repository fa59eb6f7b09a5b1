import { type Kysely, sql } from 'kysely';
import { gradeFor } from '../domain/grading.js';
import type { ReportTiming } from '../domain/resource-settings.js';
import type { Database } from '../store/schema.js';
import type { GradeStatus } from '../store/tables/grades.js';
import { loadAccess } from './load-access.js';

export interface RecomputedGrade {
  /** Scaled 0..1, or null when nothing is graded yet. */
  score: number | null;
  /** Grows by one each time the score changes; a send carries the version it read. */
  version: number;
  /** The resource's report timing, read with the grade so a sender needs no second look. */
  reportTiming: ReportTiming;
  /** Where the report stands, as the upsert left the row (no second read). */
  status: GradeStatus;
  sentVersion: number | null;
}

/**
 * The student's grade by the resource's rules, stored in grade_states. The version grows only
 * when the score really changes, so re-reading an unchanged grade never makes an earlier send
 * look stale. One upsert: two nodes recomputing at once both land on the same row.
 */
export async function recomputeGrade(db: Kysely<Database>, resourceId: number, userId: number, now: number): Promise<RecomputedGrade> {
  const loaded = await loadAccess(db, resourceId, userId, now);
  const score = gradeFor(loaded.settings, loaded.attempts, loaded.access, now).scaled;
  const row = await db
    .insertInto('grade_states')
    .values({ resource_id: resourceId, user_id: userId, score, version: 1, status: 'none', updated_at: now })
    .onConflict((oc) =>
      oc.columns(['resource_id', 'user_id']).doUpdateSet({
        // Null-safe "unchanged" written out, since SQLite and PostgreSQL spell IS DISTINCT FROM differently.
        version: sql<number>`case when (grade_states.score is null and excluded.score is null) or grade_states.score = excluded.score then grade_states.version else grade_states.version + 1 end`,
        updated_at: sql<number>`case when (grade_states.score is null and excluded.score is null) or grade_states.score = excluded.score then grade_states.updated_at else excluded.updated_at end`,
        score: sql<number | null>`excluded.score`,
      }),
    )
    .returning(['score', 'version', 'status', 'sent_version'])
    .executeTakeFirstOrThrow();
  return {
    score: row.score === null ? null : Number(row.score),
    version: Number(row.version),
    reportTiming: loaded.settings.reportTiming,
    status: row.status,
    sentVersion: row.sent_version === null ? null : Number(row.sent_version),
  };
}
