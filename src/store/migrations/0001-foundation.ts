import type { Kysely } from 'kysely';
import { reference, withId } from './column-types.js';

/**
 * Frozen: consumers, nonces, users, contexts, resource links, launches, admins.
 * Times are epoch milliseconds in bigint columns on both dialects.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await withId(db, db.schema.createTable('consumers'))
    .addColumn('key', 'text', (c) => c.notNull().unique())
    .addColumn('secret_sealed', 'text', (c) => c.notNull())
    .addColumn('url', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('disabled_at', 'bigint')
    .execute();

  await withId(db, db.schema.createTable('lti_nonces'))
    .addColumn('consumer_id', 'bigint', (c) => reference('consumers')(c.notNull()))
    .addColumn('nonce', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('lti_nonces_consumer_nonce', ['consumer_id', 'nonce'])
    .execute();
  await db.schema.createIndex('lti_nonces_expires_at').on('lti_nonces').column('expires_at').execute();

  await withId(db, db.schema.createTable('users'))
    .addColumn('consumer_id', 'bigint', (c) => reference('consumers')(c.notNull()))
    .addColumn('lti_user_id', 'text', (c) => c.notNull())
    .addColumn('name_given', 'text')
    .addColumn('name_family', 'text')
    .addColumn('name_full', 'text')
    .addColumn('email', 'text')
    .addColumn('username', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('users_consumer_lti_user', ['consumer_id', 'lti_user_id'])
    .execute();

  await withId(db, db.schema.createTable('contexts'))
    .addColumn('consumer_id', 'bigint', (c) => reference('consumers')(c.notNull()))
    .addColumn('lti_context_id', 'text', (c) => c.notNull())
    .addColumn('title', 'text')
    .addColumn('label', 'text')
    .addColumn('context_type', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('contexts_consumer_lti_context', ['consumer_id', 'lti_context_id'])
    .execute();

  await withId(db, db.schema.createTable('resource_links'))
    .addColumn('consumer_id', 'bigint', (c) => reference('consumers')(c.notNull()))
    .addColumn('context_id', 'bigint', reference('contexts'))
    .addColumn('lti_resource_link_id', 'text', (c) => c.notNull())
    .addColumn('title', 'text')
    .addColumn('description', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('resource_links_consumer_lti_link', ['consumer_id', 'lti_resource_link_id'])
    .execute();

  await withId(db, db.schema.createTable('launches'))
    .addColumn('consumer_id', 'bigint', (c) => reference('consumers')(c.notNull()))
    .addColumn('user_id', 'bigint', (c) => reference('users')(c.notNull()))
    .addColumn('resource_link_id', 'bigint', (c) => reference('resource_links')(c.notNull()))
    .addColumn('context_id', 'bigint', reference('contexts'))
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('roles_raw', 'text', (c) => c.notNull())
    .addColumn('lti_version', 'text', (c) => c.notNull())
    .addColumn('user_agent', 'text')
    .addColumn('outcome_service_url', 'text')
    .addColumn('result_sourcedid', 'text')
    .addColumn('ext_outcome_url', 'text')
    .addColumn('return_url', 'text')
    .addColumn('locale', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('launches_user_link_time')
    .on('launches')
    .columns(['user_id', 'resource_link_id', 'created_at'])
    .execute();
  await db.schema.createIndex('launches_link').on('launches').column('resource_link_id').execute();

  await withId(db, db.schema.createTable('admins'))
    .addColumn('username', 'text', (c) => c.notNull().unique())
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();

  await withId(db, db.schema.createTable('admin_sessions'))
    .addColumn('admin_id', 'bigint', (c) => reference('admins')(c.notNull()))
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['admin_sessions', 'admins', 'launches', 'resource_links', 'contexts', 'users', 'lti_nonces', 'consumers']) {
    await db.schema.dropTable(table).execute();
  }
}
