import type { Kysely } from 'kysely';
import { reference, withId } from './column-types.js';

/**
 * Frozen: LTI 1.3 platforms and their deployments, the tool's signing keys, one-time
 * registration tokens, the launch's service claims (AGS, NRPS), the line items we created,
 * and the single-use store of LTI 1.3 nonces.
 *
 * Each platform owns a tenant row in `consumers` (its `consumer_id`): users, contexts, links,
 * resources and launches stay keyed by that tenant, so LTI 1.1 and 1.3 share one model. A
 * platform migrated from LTI 1.1 (the lti1p1 claim) points at the existing consumer instead.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  // 1 for a tenant made for an LTI 1.3 platform: it takes no LTI 1.1 launches and is not listed as a consumer.
  await db.schema.alterTable('consumers').addColumn('lti13_only', 'integer', (c) => c.notNull().defaultTo(0)).execute();

  await withId(db, db.schema.createTable('platforms'))
    .addColumn('consumer_id', 'bigint', (c) => reference('consumers')(c.notNull()))
    .addColumn('issuer', 'text', (c) => c.notNull())
    .addColumn('client_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text')
    .addColumn('auth_login_url', 'text', (c) => c.notNull())
    .addColumn('token_url', 'text', (c) => c.notNull())
    .addColumn('jwks_url', 'text', (c) => c.notNull())
    // The `aud` of our client assertion when the token endpoint wants something else (Brightspace).
    .addColumn('token_audience', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('disabled_at', 'bigint')
    .addUniqueConstraint('platforms_issuer_client', ['issuer', 'client_id'])
    .execute();

  await withId(db, db.schema.createTable('platform_deployments'))
    .addColumn('platform_id', 'bigint', (c) => reference('platforms')(c.notNull()))
    .addColumn('deployment_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('platform_deployments_unique', ['platform_id', 'deployment_id'])
    .execute();

  await db.schema
    .createTable('tool_keys')
    .addColumn('kid', 'text', (c) => c.primaryKey())
    // PKCS#8 PEM, sealed with the secret box.
    .addColumn('private_key_sealed', 'text', (c) => c.notNull())
    // The public JWK as JSON (kty, n, e, kid, alg, use).
    .addColumn('public_jwk', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    // Set when a newer key takes over signing; the key stays published until expires_at.
    .addColumn('retired_at', 'bigint')
    .addColumn('expires_at', 'bigint')
    .execute();

  await db.schema
    .createTable('registration_tokens')
    // SHA-256 of the token: the token itself is shown once and never stored.
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('used_at', 'bigint')
    .addColumn('platform_id', 'bigint', (c) => c.references('platforms.id').onDelete('set null'))
    .execute();

  await db.schema
    .createTable('lti13_nonces')
    .addColumn('platform_id', 'bigint', (c) => reference('platforms')(c.notNull()))
    .addColumn('nonce', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('lti13_nonces_pk', ['platform_id', 'nonce'])
    .execute();
  await db.schema.createIndex('lti13_nonces_expiry').on('lti13_nonces').column('expires_at').execute();

  // What an LTI 1.3 launch brought besides identity: where to send grades and read the roster.
  await db.schema
    .createTable('launch_services')
    .addColumn('launch_id', 'bigint', (c) => reference('launches')(c.notNull().primaryKey()))
    .addColumn('platform_id', 'bigint', (c) => reference('platforms')(c.notNull()))
    .addColumn('deployment_id', 'text', (c) => c.notNull())
    .addColumn('ags_lineitem_url', 'text')
    .addColumn('ags_lineitems_url', 'text')
    // Space-separated scopes the platform granted in the claim.
    .addColumn('ags_scopes', 'text')
    .addColumn('nrps_url', 'text')
    .execute();

  // Line items this tool created or was given for a resource, per platform: we touch only these.
  await db.schema
    .createTable('line_items')
    .addColumn('resource_id', 'bigint', (c) => reference('resources')(c.notNull()))
    .addColumn('platform_id', 'bigint', (c) => reference('platforms')(c.notNull()))
    .addColumn('lineitem_url', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('line_items_pk', ['resource_id', 'platform_id'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['line_items', 'launch_services', 'lti13_nonces', 'registration_tokens', 'tool_keys', 'platform_deployments', 'platforms']) {
    await db.schema.dropTable(table).execute();
  }
  await db.schema.alterTable('consumers').dropColumn('lti13_only').execute();
}
