import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { LAUNCH_STEPS, type LaunchDeps, type LaunchInput, validateLaunch } from '../../src/lti/lti13/launch-pipeline.js';
import { signJwt } from '../../src/lti/lti13/jwt.js';
import { issueLoginState } from '../../src/lti/lti13/login-state.js';
import type { LaunchStep, Lti13ErrorCode } from '../../src/lti/lti13/lti13-error.js';
import {
  C,
  CLIENT,
  DISABLED,
  JWKS_URL,
  type LaunchOptions,
  NOW,
  NOW_S,
  SIBLING,
  b64,
  harness,
  launchInput,
  payload,
  platformKey,
  rawRs256,
  refused,
  rotatedKey,
  stateKey,
  strangerKey,
} from '../helpers/lti13-launch-fixtures.js';

const withoutLink = { id: undefined, title: 'x' };

const BAD: Array<{ name: string; step: LaunchStep; code: Lti13ErrorCode; launch: LaunchOptions }> = [
  // state
  { name: 'no state', step: 'state', code: 'state_missing', launch: { state: () => '' } },
  { name: 'altered state', step: 'state', code: 'state_invalid', launch: { state: (s) => `${s.slice(0, -2)}xx` } },
  { name: 'state signed with another key', step: 'state', code: 'state_invalid', launch: { state: () => issueLoginState(randomBytes(32), { platformId: 7, nonce: 'n', targetLinkUri: 'https://t' }, NOW, 300) } },
  { name: 'expired state', step: 'state', code: 'state_expired', launch: { state: () => issueLoginState(stateKey, { platformId: 7, nonce: 'n', targetLinkUri: 'https://t' }, NOW - 3_600_000, 300) } },
  { name: 'state not the one this browser kept', step: 'state', code: 'state_mismatch', launch: { browserState: 'another-state' } },
  { name: 'browser kept no state', step: 'state', code: 'state_mismatch', launch: { browserState: null } },
  // JWT format
  { name: 'not a JWT', step: 'jwt_format', code: 'jwt_format', launch: { token: () => 'this-is-not-a-jwt' } },
  { name: 'JWE-shaped token', step: 'jwt_format', code: 'jwt_format', launch: { token: () => 'a.b.c.d.e' } },
  // registered issuer and client id
  { name: 'unknown issuer', step: 'platform', code: 'unknown_platform', launch: { set: { iss: 'https://evil.example.com' } } },
  { name: 'no issuer', step: 'platform', code: 'unknown_platform', launch: { set: { iss: undefined } } },
  { name: 'wrong aud (unregistered client id)', step: 'platform', code: 'unknown_platform', launch: { set: { aud: 'someone-else' } } },
  { name: 'no aud', step: 'platform', code: 'unknown_platform', launch: { set: { aud: undefined } } },
  { name: 'aud of another registration of the same issuer', step: 'platform', code: 'platform_mismatch', launch: { set: { aud: SIBLING.client_id } } },
  { name: 'disabled platform', step: 'platform', code: 'platform_disabled', launch: { platformId: DISABLED.id, set: { aud: DISABLED.client_id } } },
  // signature
  { name: 'no kid', step: 'signature', code: 'jwt_no_kid', launch: { token: (b) => rawRs256({ alg: 'RS256', typ: 'JWT' }, b) } },
  { name: 'unknown kid', step: 'signature', code: 'jwt_unknown_kid', launch: { token: (b) => signJwt(b, strangerKey) } },
  { name: 'alg none', step: 'signature', code: 'jwt_alg', launch: { token: (b) => `${b64({ alg: 'none', kid: platformKey.kid })}.${b64(b)}.` } },
  {
    name: 'HS256 with the platform public key as secret',
    step: 'signature',
    code: 'jwt_alg',
    launch: {
      token: (b) => {
        const input = `${b64({ alg: 'HS256', kid: platformKey.kid, typ: 'JWT' })}.${b64(b)}`;
        return `${input}.${createHmac('sha256', JSON.stringify(platformKey.publicJwk)).update(input).digest('base64url')}`;
      },
    },
  },
  { name: 'RS512', step: 'signature', code: 'jwt_alg', launch: { token: (b) => rawRs256({ alg: 'RS512', kid: platformKey.kid }, b) } },
  { name: 'signed by a stranger under the platform kid', step: 'signature', code: 'jwt_signature', launch: { token: (b) => rawRs256({ alg: 'RS256', kid: platformKey.kid }, b, strangerKey.privateKeyPem) } },
  // audience
  { name: 'several audiences and no azp', step: 'audience', code: 'azp_missing', launch: { set: { aud: [CLIENT, 'another-tool'] } } },
  { name: 'azp naming another client', step: 'audience', code: 'azp_mismatch', launch: { set: { aud: [CLIENT, 'another-tool'], azp: 'another-tool' } } },
  // times
  { name: 'expired', step: 'times', code: 'token_expired', launch: { set: { iat: NOW_S - 7200, exp: NOW_S - 3600 } } },
  { name: 'iat far in the future', step: 'times', code: 'token_iat_future', launch: { set: { iat: NOW_S + 3600, exp: NOW_S + 7200 } } },
  { name: 'nbf in the future', step: 'times', code: 'token_not_yet_valid', launch: { set: { nbf: NOW_S + 3600 } } },
  { name: 'no exp', step: 'times', code: 'token_times_missing', launch: { set: { exp: undefined } } },
  { name: 'no iat', step: 'times', code: 'token_times_missing', launch: { set: { iat: undefined } } },
  // nonce
  { name: 'no nonce', step: 'nonce', code: 'nonce_missing', launch: { set: { nonce: undefined } } },
  { name: 'nonce not matching the state', step: 'nonce', code: 'nonce_mismatch', launch: { stateNonce: 'the-nonce-sent-at-login' } },
  // deployment
  { name: 'deployment_id missing', step: 'deployment', code: 'deployment_missing', launch: { set: { [C.deploymentId]: undefined } } },
  { name: 'unknown deployment', step: 'deployment', code: 'unknown_deployment', launch: { set: { [C.deploymentId]: 'deployment-9' } } },
  // version
  { name: 'no version', step: 'version', code: 'version_missing', launch: { set: { [C.version]: undefined } } },
  { name: 'wrong version', step: 'version', code: 'bad_version', launch: { set: { [C.version]: '1.2.0' } } },
  // message type and its claims
  { name: 'missing message_type', step: 'message', code: 'message_type_missing', launch: { set: { [C.messageType]: undefined } } },
  { name: 'unknown message_type', step: 'message', code: 'bad_message_type', launch: { set: { [C.messageType]: 'LtiStartProctoring' } } },
  { name: 'sub missing', step: 'message', code: 'sub_missing', launch: { set: { sub: undefined } } },
  { name: 'sub empty', step: 'message', code: 'sub_missing', launch: { set: { sub: '' } } },
  { name: 'roles claim missing', step: 'message', code: 'roles_missing', launch: { set: { [C.roles]: undefined } } },
  { name: 'roles not an array', step: 'message', code: 'bad_claim', launch: { set: { [C.roles]: 'Instructor' } } },
  { name: 'resource_link.id missing', step: 'message', code: 'resource_link_missing', launch: { set: { [C.resourceLink]: withoutLink } } },
  { name: 'resource_link claim missing', step: 'message', code: 'resource_link_missing', launch: { set: { [C.resourceLink]: undefined } } },
  { name: 'target_link_uri missing', step: 'message', code: 'target_link_uri_missing', launch: { set: { [C.targetLinkUri]: undefined } } },
  { name: 'context without id', step: 'message', code: 'bad_claim', launch: { set: { [C.context]: { title: 'x' } } } },
  {
    name: 'deep linking request without settings',
    step: 'message',
    code: 'deep_linking_settings_missing',
    launch: { set: { [C.messageType]: 'LtiDeepLinkingRequest', [C.resourceLink]: undefined } },
  },
  {
    name: 'submission review without for_user',
    step: 'message',
    code: 'for_user_missing',
    launch: { set: { [C.messageType]: 'LtiSubmissionReviewRequest' } },
  },
  {
    name: 'submission review without line item',
    step: 'message',
    code: 'ags_lineitem_missing',
    launch: { set: { [C.messageType]: 'LtiSubmissionReviewRequest', [C.forUser]: { user_id: 'u9' }, [C.ags]: { scope: [] } } },
  },
];

describe('LTI 1.3 launch pipeline: refused payloads', () => {
  it('names its steps in the order of the contract', () => {
    assert.deepEqual(
      [...LAUNCH_STEPS],
      ['state', 'jwt_format', 'platform', 'signature', 'audience', 'times', 'nonce', 'deployment', 'version', 'message'],
    );
  });

  it('accepts the reference payload (so every refusal below is caused by its one change)', async () => {
    const message = await validateLaunch(launchInput(), harness().deps);
    assert.equal(message.messageType, 'LtiResourceLinkRequest');
  });

  for (const c of BAD) {
    it(`${c.name} → ${c.code} at step ${c.step}`, async () => {
      const error = await refused(validateLaunch(launchInput(c.launch), harness().deps));
      assert.equal(error.code, c.code, error.message);
      assert.equal(error.step, c.step);
    });
  }

  it('refuses a replayed launch: the nonce is single-use', async () => {
    const h = harness();
    const input = launchInput();
    await validateLaunch(input, h.deps);
    const error = await refused(validateLaunch(input, h.deps));
    assert.equal(error.code, 'nonce_replayed');
    assert.equal(error.step, 'nonce');
  });

  it('reports the earliest fault when several are present', async () => {
    const input = launchInput({ set: { exp: NOW_S - 3600, iat: NOW_S - 7200, [C.version]: '1.1', sub: undefined } });
    assert.equal((await refused(validateLaunch(input, harness().deps))).code, 'token_expired');
  });

  it('does not burn the nonce of a token refused before the nonce step', async () => {
    const h = harness();
    const nonce = 'kept-nonce';
    const good = launchInput({ stateNonce: nonce, set: { nonce } });
    const expired = { ...good, idToken: signJwt({ ...payload(nonce), iat: NOW_S - 7200, exp: NOW_S - 3600 }, platformKey) };
    assert.equal((await refused(validateLaunch(expired, h.deps))).code, 'token_expired');
    await validateLaunch(good, h.deps);
  });

  it('passes errors of its dependencies through unchanged', async () => {
    const h = harness();
    const boom = new Error('database down');
    const deps: LaunchDeps = { ...h.deps, knownDeployment: () => Promise.reject(boom) };
    await assert.rejects(validateLaunch(launchInput(), deps), (e: unknown) => e === boom);
  });
});

describe('LTI 1.3 launch pipeline: platform keys', () => {
  it('fetches the key set once for many launches', async () => {
    const h = harness();
    for (let i = 0; i < 3; i++) await validateLaunch(launchInput(), h.deps);
    assert.deepEqual(h.fetches, [JWKS_URL]);
  });

  it('refetches on an unknown kid at most once per minRefetchMs, then refuses', async () => {
    const h = harness();
    const at = (ms: number): LaunchDeps => ({ ...h.deps, now: NOW + ms });
    const stranger = (): LaunchInput => launchInput({ token: (b) => signJwt(b, strangerKey) });
    await validateLaunch(launchInput(), at(0));
    assert.equal((await refused(validateLaunch(stranger(), at(10_000)))).code, 'jwt_unknown_kid');
    assert.equal(h.fetches.length, 1, 'too soon after the first fetch');
    assert.equal((await refused(validateLaunch(stranger(), at(120_000)))).code, 'jwt_unknown_kid');
    assert.equal(h.fetches.length, 2, 'refetched once');
    assert.equal((await refused(validateLaunch(stranger(), at(130_000)))).code, 'jwt_unknown_kid');
    assert.equal(h.fetches.length, 2, 'not again within minRefetchMs');
  });

  it('accepts a rotated key: the unknown kid triggers a refetch that finds it', async () => {
    const h = harness();
    await validateLaunch(launchInput(), h.deps);
    h.publish([platformKey.publicJwk, rotatedKey.publicJwk]);
    const message = await validateLaunch(launchInput({ token: (b) => signJwt(b, rotatedKey) }), { ...h.deps, now: NOW + 120_000 });
    assert.equal(message.sub, 'user-42');
    assert.equal(h.fetches.length, 2);
  });
});

