import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createPublicKey, verify } from 'node:crypto';
import { addDeployment } from '../../src/commands/add-deployment.js';
import { addPlatform, type PlatformInput } from '../../src/commands/add-platform.js';
import { consumeLti13Nonce, LTI13_NONCE_PURGE_EVERY_MS } from '../../src/commands/consume-lti13-nonce.js';
import { checkRegistrationToken, consumeRegistrationToken } from '../../src/commands/consume-registration-token.js';
import { deletePlatform } from '../../src/commands/delete-platform.js';
import { ensureToolKey } from '../../src/commands/ensure-tool-key.js';
import { getPlatform } from '../../src/commands/get-platform.js';
import { issueRegistrationToken, REGISTRATION_TOKEN_TTL_MS } from '../../src/commands/issue-registration-token.js';
import { listConsumers } from '../../src/commands/list-consumers.js';
import { listPlatforms } from '../../src/commands/list-platforms.js';
import { rotateToolKeys } from '../../src/commands/rotate-tool-keys.js';
import { setPlatformEnabled } from '../../src/commands/set-platform-enabled.js';
import { signingKey } from '../../src/commands/signing-key.js';
import { AppError } from '../../src/lib/errors.js';
import { signJwt } from '../../src/lti/lti13/jwt.js';
import { findPlatformsByIssuer, hasDeployment } from '../../src/store/repositories/platforms.js';
import { formBody, launchParams, signLaunch } from '../helpers/lti11-consumer.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';
import { databaseKinds } from '../helpers/test-store.js';

const HOST = 'tool.example.edu';
const DAY = 24 * 3600 * 1000;

function platformInput(overrides: Partial<PlatformInput> = {}): PlatformInput {
  return {
    issuer: 'https://lms.example.edu',
    clientId: 'client-a',
    authLoginUrl: 'https://lms.example.edu/auth',
    tokenUrl: 'https://lms.example.edu/token',
    jwksUrl: 'https://lms.example.edu/jwks',
    ...overrides,
  };
}

async function refusedWith(promise: Promise<unknown>, code: string, message?: RegExp): Promise<AppError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof AppError, `expected an AppError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    if (message) assert.match(error.publicMessage, message);
    return error;
  }
  assert.fail(`expected a refusal with ${code}`);
}

interface Jwk {
  kty: string;
  kid: string;
  alg: string;
  use: string;
  n: string;
  e: string;
  [name: string]: unknown;
}

/** Checks an RS256 JWT against a published key with node:crypto alone, not the tool's own verifier. */
function verifiesWith(token: string, jwk: Jwk): boolean {
  const [header, payload, signature] = token.split('.');
  const key = createPublicKey({ key: { kty: jwk.kty, n: jwk.n, e: jwk.e }, format: 'jwk' });
  return verify('sha256', Buffer.from(`${header}.${payload}`), key, Buffer.from(signature ?? '', 'base64url'));
}

for (const kind of databaseKinds()) {
  describe(`LTI 1.3 platforms, keys and nonces (${kind})`, () => {
    let t: TestApp;

    async function jwks(): Promise<{ status: number; headers: Record<string, unknown>; keys: Jwk[] }> {
      const res = await t.app.inject({ method: 'GET', url: '/lti/jwks', headers: { host: HOST } });
      return { status: res.statusCode, headers: res.headers, keys: (res.json() as { keys: Jwk[] }).keys };
    }

    before(async () => {
      t = await createTestApp(kind);
    });
    after(async () => t.close());

    it('start-up made one signing key, published at /lti/jwks as public RSA keys only', async () => {
      const res = await jwks();
      assert.equal(res.status, 200);
      assert.match(String(res.headers['content-type']), /^application\/json/);
      assert.equal(res.headers['cache-control'], 'public, max-age=300');
      assert.equal(res.keys.length, 1);
      const [key] = res.keys;
      assert.ok(key);
      assert.equal(key.kty, 'RSA');
      assert.equal(key.alg, 'RS256');
      assert.equal(key.use, 'sig');
      assert.ok(key.kid.length > 10);
      for (const secret of ['d', 'p', 'q', 'dp', 'dq', 'qi']) assert.equal(key[secret], undefined, `no private "${secret}" is published`);
      const again = await ensureToolKey(t.store.db, t.app.services.secretBox, t.clock.now);
      assert.deepEqual(again, { kid: key.kid, created: false });
      const row = await t.store.db.selectFrom('tool_keys').selectAll().executeTakeFirstOrThrow();
      assert.doesNotMatch(row.private_key_sealed, /PRIVATE KEY/, 'the private key is stored sealed');
      assert.match(t.app.services.secretBox.open(row.private_key_sealed), /^-----BEGIN PRIVATE KEY-----/);
    });

    it('registers a platform with its tenant consumer (lti13_only, not listed as a consumer) and its first deployment', async () => {
      const created = await addPlatform(t.store.db, t.app.services.secretBox, platformInput({ name: ' Main LMS ', deployments: ['dep-1', ' dep-2 ', 'dep-1'] }), t.clock.now);
      assert.equal(created.issuer, 'https://lms.example.edu', 'the issuer is stored as given, without a trailing slash');
      assert.equal(created.clientId, 'client-a');
      assert.equal(created.name, 'Main LMS');
      assert.deepEqual(created.deployments, ['dep-1', 'dep-2']);
      assert.equal(created.tokenAudience, null);
      assert.equal(created.disabled, false);
      const consumer = await t.store.db.selectFrom('consumers').selectAll().where('id', '=', created.consumerId).executeTakeFirstOrThrow();
      assert.equal(consumer.key, 'lti13:https://lms.example.edu#client-a');
      assert.equal(consumer.lti13_only, 1);
      assert.ok(t.app.services.secretBox.open(consumer.secret_sealed).length >= 32, 'a random secret nobody was shown');
      assert.deepEqual((await listConsumers(t.store.db)).map((c) => c.key), []);
      assert.equal(await hasDeployment(t.store.db, created.id, 'dep-2'), true);
      assert.equal(await hasDeployment(t.store.db, created.id, 'dep-3'), false);
      assert.deepEqual(await getPlatform(t.store.db, created.id), created);
    });

    it('allows one issuer with two client ids, and refuses the same issuer and client id twice', async () => {
      const second = await addPlatform(t.store.db, t.app.services.secretBox, platformInput({ clientId: 'client-b', tokenAudience: 'https://lms.example.edu/aud' }), t.clock.now);
      assert.equal(second.tokenAudience, 'https://lms.example.edu/aud');
      const found = await findPlatformsByIssuer(t.store.db, 'https://lms.example.edu', ['client-b', 'client-a', 'client-z']);
      assert.deepEqual(found.map((p) => p.client_id).sort(), ['client-a', 'client-b']);
      const before = await t.store.db.selectFrom('consumers').select('id').execute();
      const dup = await refusedWith(addPlatform(t.store.db, t.app.services.secretBox, platformInput({ name: 'again' }), t.clock.now), 'conflict', /already registered/);
      assert.equal(dup.problems?.[0]?.field, 'clientId');
      assert.equal((await t.store.db.selectFrom('consumers').select('id').execute()).length, before.length, 'nothing new is stored');
      assert.deepEqual((await listPlatforms(t.store.db)).map((p) => p.clientId), ['client-a', 'client-b']);
    });

    it('refuses bad fields, naming each one, and stores nothing', async () => {
      const error = await refusedWith(
        addPlatform(t.store.db, t.app.services.secretBox, platformInput({ issuer: ' ', clientId: 'x\u0001', authLoginUrl: 'ftp://lms/auth', tokenUrl: 'not a url', jwksUrl: 'https://user:pw@lms/jwks', deployments: ['d'.repeat(256)] }), t.clock.now),
        'bad_request',
      );
      assert.deepEqual(error.problems?.map((p) => p.field), ['issuer', 'clientId', 'authLoginUrl', 'tokenUrl', 'jwksUrl', 'deployment']);
      assert.equal((await listPlatforms(t.store.db)).length, 2);
    });

    it('adds deployments, refusing a duplicate, an empty one and an unknown platform', async () => {
      const [platform] = await listPlatforms(t.store.db);
      assert.ok(platform);
      assert.deepEqual(await addDeployment(t.store.db, platform.id, ' dep-3 ', t.clock.now), { deploymentId: 'dep-3' });
      await refusedWith(addDeployment(t.store.db, platform.id, 'dep-3', t.clock.now), 'conflict');
      await refusedWith(addDeployment(t.store.db, platform.id, '  ', t.clock.now), 'bad_request');
      await refusedWith(addDeployment(t.store.db, 999_999, 'dep-1', t.clock.now), 'not_found');
      assert.deepEqual((await getPlatform(t.store.db, platform.id)).deployments, ['dep-1', 'dep-2', 'dep-3']);
    });

    it('disables and enables a platform', async () => {
      const [platform] = await listPlatforms(t.store.db);
      assert.ok(platform);
      await setPlatformEnabled(t.store.db, platform.id, false, t.clock.now);
      assert.equal((await getPlatform(t.store.db, platform.id)).disabled, true);
      await setPlatformEnabled(t.store.db, platform.id, true, t.clock.now);
      assert.equal((await getPlatform(t.store.db, platform.id)).disabled, false);
      await refusedWith(setPlatformEnabled(t.store.db, 999_999, true, t.clock.now), 'not_found');
    });

    it('refuses an LTI 1.1 launch signed with a platform tenant key, as an unknown key, creating nothing', async () => {
      const [platform] = await listPlatforms(t.store.db);
      assert.ok(platform);
      const tenant = await t.store.db.selectFrom('consumers').selectAll().where('id', '=', platform.consumerId).executeTakeFirstOrThrow();
      // Even someone holding the tenant's secret (nobody is shown it) cannot launch over LTI 1.1.
      const signed = signLaunch({ key: tenant.key, secret: t.app.services.secretBox.open(tenant.secret_sealed) }, `http://${HOST}/lti/launch`, launchParams());
      const before = await t.store.db.selectFrom('launches').select('id').execute();
      const res = await t.app.inject({
        method: 'POST',
        url: '/lti/launch',
        headers: { host: HOST, 'content-type': 'application/x-www-form-urlencoded' },
        payload: formBody(signed),
      });
      assert.equal(res.statusCode, 401);
      assert.match(res.body, /is not registered with this tool/);
      assert.equal((await t.store.db.selectFrom('launches').select('id').execute()).length, before.length);
      assert.equal((await t.store.db.selectFrom('users').select('id').where('consumer_id', '=', tenant.id).execute()).length, 0);
    });

    it('rotation signs with the new key and keeps the old one published until it expires', async () => {
      const { box, db } = { box: t.app.services.secretBox, db: t.store.db };
      const old = await signingKey(db, box, t.clock.now);
      const start = t.clock.now;
      const rotated = await rotateToolKeys(db, box, start, 7 * DAY);
      assert.notEqual(rotated.kid, old.kid);
      assert.deepEqual(rotated.retired, [old.kid]);
      assert.equal(rotated.expiresAt, start + 7 * DAY);
      const current = await signingKey(db, box, t.clock.now);
      assert.equal(current.kid, rotated.kid);
      const published = (await jwks()).keys;
      assert.deepEqual(published.map((k) => k.kid), [rotated.kid, old.kid], 'both published, the signing key first');
      const token = signJwt({ iss: 'client-a', aud: 'https://lms.example.edu/token' }, current, t.clock.now);
      assert.equal(JSON.parse(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString('utf8')).kid, rotated.kid);
      const newJwk = published.find((k) => k.kid === rotated.kid);
      const oldJwk = published.find((k) => k.kid === old.kid);
      assert.ok(newJwk && oldJwk);
      assert.equal(verifiesWith(token, newJwk), true, 'a token from the signing key verifies with the published key');
      assert.equal(verifiesWith(token, oldJwk), false);
      assert.equal(verifiesWith(signJwt({ a: 1 }, old), oldJwk), true, 'the old key is still the published old key');

      // A second rotation a day later retires the second key; the first keeps its own expiry.
      t.clock.now = start + DAY;
      const third = await rotateToolKeys(db, box, t.clock.now, 7 * DAY);
      const rows = await db.selectFrom('tool_keys').selectAll().execute();
      assert.equal(rows.find((r) => r.kid === old.kid)?.expires_at, start + 7 * DAY);
      assert.equal(rows.find((r) => r.kid === rotated.kid)?.expires_at, start + 8 * DAY);
      assert.equal(rows.find((r) => r.kid === third.kid)?.retired_at, null);

      // Past the first key's overlap it leaves the JWKS; the next rotation removes it.
      t.clock.now = start + 7 * DAY;
      assert.deepEqual((await jwks()).keys.map((k) => k.kid), [third.kid, rotated.kid]);
      await rotateToolKeys(db, box, t.clock.now, 7 * DAY);
      assert.equal((await db.selectFrom('tool_keys').select('kid').where('kid', '=', old.kid).execute()).length, 0);
      t.clock.now = Date.now();
    });

    it('a launch nonce is used once per platform; expired ones are purged and never block', async () => {
      const [a, b] = await listPlatforms(t.store.db);
      assert.ok(a && b);
      const now = t.clock.now + 10 * LTI13_NONCE_PURGE_EVERY_MS;
      const expires = now + 600_000;
      assert.equal(await consumeLti13Nonce(t.store.db, a.id, 'n-1', expires, now), true);
      assert.equal(await consumeLti13Nonce(t.store.db, a.id, 'n-1', expires, now + 1), false, 'a replay is refused');
      assert.equal(await consumeLti13Nonce(t.store.db, b.id, 'n-1', expires, now + 2), true, 'another platform has its own nonces');
      const results = await Promise.all([1, 2, 3, 4].map(() => consumeLti13Nonce(t.store.db, a.id, 'n-race', expires, now + 3)));
      assert.equal(results.filter(Boolean).length, 1, 'of racing uses exactly one wins');
      // After its expiry the row is dead weight: the next purge removes it.
      const later = expires + 2 * LTI13_NONCE_PURGE_EVERY_MS;
      assert.equal(await consumeLti13Nonce(t.store.db, a.id, 'n-2', later + 600_000, later), true);
      const left = await t.store.db.selectFrom('lti13_nonces').select('nonce').execute();
      assert.deepEqual(left.map((r) => r.nonce), ['n-2']);
      // An expired row not yet purged does not block its nonce either.
      await t.store.db.insertInto('lti13_nonces').values({ platform_id: a.id, nonce: 'n-old', expires_at: later - 1 }).execute();
      assert.equal(await consumeLti13Nonce(t.store.db, a.id, 'n-old', later + 600_000, later + 1), true);
      assert.equal(await consumeLti13Nonce(t.store.db, a.id, 'n-old', later + 600_000, later + 2), false);
    });

    it('a registration token is shown once, stored hashed, used once and expires after an hour', async () => {
      const issued = await issueRegistrationToken(t.store.db, t.clock.now);
      assert.ok(issued.token.length >= 40);
      assert.equal(issued.expiresAt, t.clock.now + REGISTRATION_TOKEN_TTL_MS);
      const rows = await t.store.db.selectFrom('registration_tokens').selectAll().execute();
      assert.equal(rows.length, 1);
      assert.match(rows[0]?.token_hash ?? '', /^[0-9a-f]{64}$/);
      assert.ok(!JSON.stringify(rows).includes(issued.token), 'the token itself is not stored');
      await checkRegistrationToken(t.store.db, issued.token, t.clock.now);
      const [platform] = await listPlatforms(t.store.db);
      assert.ok(platform);
      await consumeRegistrationToken(t.store.db, issued.token, t.clock.now, platform.id);
      assert.equal((await t.store.db.selectFrom('registration_tokens').select('platform_id').executeTakeFirstOrThrow()).platform_id, platform.id);
      await refusedWith(consumeRegistrationToken(t.store.db, issued.token, t.clock.now), 'forbidden', /already been used/);
      await refusedWith(consumeRegistrationToken(t.store.db, 'not-a-token', t.clock.now), 'forbidden', /not valid/);
      await refusedWith(consumeRegistrationToken(t.store.db, '', t.clock.now), 'forbidden', /not valid/);

      const late = await issueRegistrationToken(t.store.db, t.clock.now);
      await refusedWith(checkRegistrationToken(t.store.db, late.token, late.expiresAt), 'forbidden', /expired/);
      await refusedWith(consumeRegistrationToken(t.store.db, late.token, late.expiresAt + 1), 'forbidden', /expired/);
      await consumeRegistrationToken(t.store.db, late.token, late.expiresAt - 1);

      const raced = await issueRegistrationToken(t.store.db, t.clock.now);
      const outcomes = await Promise.allSettled([1, 2, 3].map(() => consumeRegistrationToken(t.store.db, raced.token, t.clock.now)));
      assert.equal(outcomes.filter((o) => o.status === 'fulfilled').length, 1, 'of racing uses exactly one wins');
    });

    it('deleting a platform removes its deployments, nonces and tenant with its records; an LTI 1.1 consumer it took over stays', async () => {
      const [platform] = await listPlatforms(t.store.db);
      assert.ok(platform);
      const now = t.clock.now;
      await t.store.db
        .insertInto('users')
        .values({ consumer_id: platform.consumerId, lti_user_id: 'sub-1', name_given: null, name_family: null, name_full: null, email: null, username: null, created_at: now, updated_at: now })
        .execute();
      assert.equal((await getPlatform(t.store.db, platform.id)).users, 1);
      await deletePlatform(t.store.db, platform.id);
      await refusedWith(getPlatform(t.store.db, platform.id), 'not_found');
      await refusedWith(deletePlatform(t.store.db, platform.id), 'not_found');
      assert.equal((await t.store.db.selectFrom('consumers').select('id').where('id', '=', platform.consumerId).execute()).length, 0);
      assert.equal((await t.store.db.selectFrom('users').select('id').where('consumer_id', '=', platform.consumerId).execute()).length, 0);
      assert.equal((await t.store.db.selectFrom('platform_deployments').select('id').where('platform_id', '=', platform.id).execute()).length, 0);
      assert.equal((await t.store.db.selectFrom('lti13_nonces').select('nonce').where('platform_id', '=', platform.id).execute()).length, 0);

      // A platform migrated from LTI 1.1 points at the existing consumer: deleting it leaves the consumer.
      const legacy = await t.store.db
        .insertInto('consumers')
        .values({ key: 'moodle-legacy', secret_sealed: t.app.services.secretBox.seal('s'), url: null, created_at: now, disabled_at: null })
        .returning('id')
        .executeTakeFirstOrThrow();
      const migrated = await t.store.db
        .insertInto('platforms')
        .values({ consumer_id: legacy.id, issuer: 'https://moodle.example.edu', client_id: 'm', name: null, auth_login_url: 'https://moodle.example.edu/a', token_url: 'https://moodle.example.edu/t', jwks_url: 'https://moodle.example.edu/j', token_audience: null, created_at: now, disabled_at: null })
        .returning('id')
        .executeTakeFirstOrThrow();
      await deletePlatform(t.store.db, migrated.id);
      assert.deepEqual((await listConsumers(t.store.db)).map((c) => c.key), ['moodle-legacy']);
    });
  });
}
