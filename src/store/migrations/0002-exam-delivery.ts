import type { Kysely } from 'kysely';
import { isSqlite, reference, withId } from './column-types.js';

/** Frozen: resources, package versions and blobs, attempts and their element history. */
export async function up(db: Kysely<unknown>): Promise<void> {
  const blob = isSqlite(db) ? 'blob' : 'bytea';

  await withId(db, db.schema.createTable('resources'))
    .addColumn('consumer_id', 'bigint', (c) => reference('consumers')(c.notNull()))
    .addColumn('context_id', 'bigint', reference('contexts'))
    .addColumn('title', 'text')
    .addColumn('current_package_version_id', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema.alterTable('resource_links').addColumn('resource_id', 'bigint', reference('resources')).execute();

  await db.schema
    .createTable('package_blobs')
    .addColumn('sha256', 'text', (c) => c.primaryKey())
    .addColumn('size', 'bigint', (c) => c.notNull())
    .addColumn('data', blob, (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();

  await withId(db, db.schema.createTable('package_versions'))
    .addColumn('resource_id', 'bigint', (c) => reference('resources')(c.notNull()))
    .addColumn('sha256', 'text', (c) => c.notNull().references('package_blobs.sha256'))
    .addColumn('scorm_version', 'text', (c) => c.notNull())
    .addColumn('schema_version', 'text')
    .addColumn('title', 'text')
    .addColumn('launch_path', 'text', (c) => c.notNull())
    .addColumn('launch_query', 'text')
    .addColumn('numbas_version', 'text')
    .addColumn('file_count', 'integer', (c) => c.notNull())
    .addColumn('uncompressed_bytes', 'bigint', (c) => c.notNull())
    .addColumn('uploaded_by_user_id', 'bigint', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();

  await withId(db, db.schema.createTable('attempts'))
    .addColumn('resource_id', 'bigint', (c) => reference('resources')(c.notNull()))
    .addColumn('user_id', 'bigint', (c) => reference('users')(c.notNull()))
    .addColumn('package_version_id', 'bigint', (c) => c.notNull().references('package_versions.id'))
    .addColumn('started_at', 'bigint', (c) => c.notNull())
    .addColumn('ended_at', 'bigint')
    .addColumn('completion_status', 'text')
    .addColumn('success_status', 'text')
    .addColumn('score_raw', 'double precision')
    .addColumn('score_min', 'double precision')
    .addColumn('score_max', 'double precision')
    .addColumn('score_scaled', 'double precision')
    .addColumn('time_spent_ms', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('question_scores', 'text')
    .addColumn('current_session_id', 'text')
    .addColumn('element_count', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('attempts_resource_user').on('attempts').columns(['resource_id', 'user_id']).execute();

  await withId(db, db.schema.createTable('attempt_elements'))
    .addColumn('attempt_id', 'bigint', (c) => reference('attempts')(c.notNull()))
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('client_time', 'bigint')
    .addColumn('server_time', 'bigint', (c) => c.notNull())
    .addColumn('session_id', 'text', (c) => c.notNull())
    .addColumn('seq', 'integer', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('attempt_elements_attempt').on('attempt_elements').columns(['attempt_id', 'id']).execute();

  await db.schema
    .createTable('attempt_values')
    .addColumn('attempt_id', 'bigint', (c) => reference('attempts')(c.notNull()))
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('attempt_values_pk', ['attempt_id', 'key'])
    .execute();

  await db.schema
    .createTable('attempt_batches')
    .addColumn('attempt_id', 'bigint', (c) => reference('attempts')(c.notNull()))
    .addColumn('session_id', 'text', (c) => c.notNull())
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('received_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('attempt_batches_pk', ['attempt_id', 'session_id', 'seq'])
    .execute();

  await db.schema
    .createTable('attempt_sessions')
    .addColumn('attempt_id', 'bigint', (c) => reference('attempts')(c.notNull()))
    .addColumn('session_id', 'text', (c) => c.notNull())
    .addColumn('opened_at', 'bigint', (c) => c.notNull())
    .addColumn('session_time_ms', 'bigint', (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('attempt_sessions_pk', ['attempt_id', 'session_id'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['attempt_sessions', 'attempt_batches', 'attempt_values', 'attempt_elements', 'attempts', 'package_versions', 'package_blobs']) {
    await db.schema.dropTable(table).execute();
  }
  await db.schema.alterTable('resource_links').dropColumn('resource_id').execute();
  await db.schema.dropTable('resources').execute();
}
