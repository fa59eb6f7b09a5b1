import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import { isSqlite, reference, withId } from './column-types.js';

/**
 * Frozen: a resource's attempt and grading rules, access tokens, per-student access changes,
 * the durable jobs table (every call out to an LMS is a job), the audit of grade reports,
 * and each student's grade-report state at a resource. Booleans are integers (0/1) so the
 * same rows read the same on both dialects.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const settings: Array<[string, 'text' | 'integer' | 'bigint', string | number | null]> = [
    ['grading_method', 'text', 'highest'],
    ['include_incomplete', 'integer', 1],
    ['max_attempts', 'integer', 0],
    ['show_scores', 'text', 'always'],
    ['report_timing', 'text', 'immediately'],
    ['review_from', 'bigint', null],
    ['available_from', 'bigint', null],
    ['available_until', 'bigint', null],
    ['due_at', 'bigint', null],
    ['email_receipts', 'integer', 0],
  ];
  for (const [name, type, fallback] of settings) {
    await db.schema
      .alterTable('resources')
      .addColumn(name, type, (c) => (fallback === null ? c : c.notNull().defaultTo(fallback)))
      .execute();
  }
  // Why the server ended an attempt (availability ended, an instructor ended it); null when the exam ended it.
  await db.schema.alterTable('attempts').addColumn('end_reason', 'text').execute();

  await withId(db, db.schema.createTable('access_tokens'))
    .addColumn('resource_id', 'bigint', (c) => reference('resources')(c.notNull()))
    .addColumn('user_id', 'bigint', (c) => reference('users')(c.notNull()))
    .addColumn('created_by_user_id', 'bigint', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('access_tokens_resource_user').on('access_tokens').columns(['resource_id', 'user_id']).execute();

  await withId(db, db.schema.createTable('access_changes'))
    .addColumn('resource_id', 'bigint', (c) => reference('resources')(c.notNull()))
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('available_from', 'bigint')
    .addColumn('available_until', 'bigint')
    .addColumn('extend_deadline_minutes', 'integer')
    .addColumn('max_attempts', 'integer')
    // 'none' | 'minutes' | 'percent' | 'disable'
    .addColumn('duration_mode', 'text', (c) => c.notNull().defaultTo('none'))
    .addColumn('duration_amount', 'double precision')
    .addColumn('created_by_user_id', 'bigint', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('access_changes_resource').on('access_changes').columns(['resource_id', 'created_at']).execute();

  await db.schema
    .createTable('access_change_targets')
    .addColumn('access_change_id', 'bigint', (c) => reference('access_changes')(c.notNull()))
    // 'username' | 'email'
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('value', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('access_change_targets_pk', ['access_change_id', 'kind', 'value'])
    .execute();

  await withId(db, db.schema.createTable('jobs'))
    .addColumn('kind', 'text', (c) => c.notNull())
    // Jobs with the same key coalesce while pending: only the latest request runs.
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    // 'pending' | 'running' | 'done' | 'failed' | 'cancelled'
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('tries', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('run_at', 'bigint', (c) => c.notNull())
    .addColumn('deadline_at', 'bigint', (c) => c.notNull())
    .addColumn('locked_by', 'text')
    .addColumn('locked_until', 'bigint')
    .addColumn('last_error', 'text')
    // For instructors' views: the resource a job works for, progress and result as JSON.
    .addColumn('resource_id', 'bigint', (c) => c.references('resources.id').onDelete('cascade'))
    .addColumn('progress', 'text')
    .addColumn('result', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('finished_at', 'bigint')
    .execute();
  await db.schema.createIndex('jobs_due').on('jobs').columns(['state', 'run_at']).execute();
  await db.schema.createIndex('jobs_resource').on('jobs').columns(['resource_id', 'created_at']).execute();
  // At most one pending job per key: enqueueing again updates it instead (coalescing).
  await db.schema
    .createIndex('jobs_pending_key')
    .on('jobs')
    .column('key')
    .unique()
    .where(sql.ref('state'), '=', 'pending')
    .execute();

  await withId(db, db.schema.createTable('grade_reports'))
    .addColumn('resource_id', 'bigint', (c) => reference('resources')(c.notNull()))
    .addColumn('user_id', 'bigint', (c) => reference('users')(c.notNull()))
    .addColumn('job_id', 'bigint')
    // 'replace' | 'read' | 'delete'
    .addColumn('operation', 'text', (c) => c.notNull())
    .addColumn('score', 'double precision')
    // 'accepted' | 'rejected' | 'failed'
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('http_status', 'integer')
    .addColumn('detail', 'text')
    .addColumn('tried_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('grade_reports_resource_user').on('grade_reports').columns(['resource_id', 'user_id', 'tried_at']).execute();

  await db.schema
    .createTable('grade_states')
    .addColumn('resource_id', 'bigint', (c) => reference('resources')(c.notNull()))
    .addColumn('user_id', 'bigint', (c) => reference('users')(c.notNull()))
    // The grade to send, and a version that grows with each change: an older one never overwrites a newer.
    .addColumn('score', 'double precision')
    .addColumn('version', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('sent_score', 'double precision')
    .addColumn('sent_version', 'bigint')
    .addColumn('sent_at', 'bigint')
    // 'none' | 'queued' | 'retrying' | 'sent' | 'failed' | 'no_outcome_service'
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('none'))
    .addColumn('last_error', 'text')
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('grade_states_pk', ['resource_id', 'user_id'])
    .execute();

  if (!isSqlite(db)) {
    // Hot, small, constantly updated: leave room on each page for HOT updates.
    await sql`alter table jobs set (fillfactor = 70)`.execute(db);
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['grade_states', 'grade_reports', 'jobs', 'access_change_targets', 'access_changes', 'access_tokens']) {
    await db.schema.dropTable(table).execute();
  }
  await db.schema.alterTable('attempts').dropColumn('end_reason').execute();
  for (const name of ['email_receipts', 'due_at', 'available_until', 'available_from', 'review_from', 'report_timing', 'show_scores', 'max_attempts', 'include_incomplete', 'grading_method']) {
    await db.schema.alterTable('resources').dropColumn(name).execute();
  }
}
