import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { signToken } from '../../src/lib/signed-token.js';
import { issueLoginState, newLoginNonce, readLoginState } from '../../src/lti/lti13/login-state.js';
import { Lti13Error, type Lti13ErrorCode } from '../../src/lti/lti13/lti13-error.js';
import { type LoginRequest, authenticationRedirect, parseLoginRequest, pickLoginPlatform } from '../../src/lti/lti13/oidc-login.js';
import type { Lti13Platform } from '../../src/lti/lti13/platform.js';

const NOW = Date.UTC(2026, 0, 15, 10, 0, 0);
const ISS = 'https://lms.example.edu';

function platform(id: number, clientId: string, issuer = ISS): Lti13Platform {
  return {
    id,
    consumer_id: 1,
    issuer,
    client_id: clientId,
    auth_login_url: `${issuer}/auth?tenant=t1`,
    token_url: `${issuer}/token`,
    jwks_url: `${issuer}/jwks`,
    token_audience: null,
    disabled_at: null,
  };
}

const PARAMS = {
  iss: ISS,
  login_hint: 'user-42',
  target_link_uri: 'https://tool.example.com/lti/launch',
  lti_message_hint: 'link-1',
  client_id: 'client-a',
  lti_deployment_id: 'deployment-1',
  lti_storage_target: '_parent',
};

function refusedWith(code: Lti13ErrorCode, run: () => unknown): void {
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof Lti13Error, String(error));
    assert.equal(error.code, code, error.message);
    return true;
  });
}

describe('OIDC login initiation', () => {
  it('reads every parameter, from a form object or a query string', () => {
    const expected: LoginRequest = {
      iss: ISS,
      loginHint: 'user-42',
      targetLinkUri: 'https://tool.example.com/lti/launch',
      ltiMessageHint: 'link-1',
      clientId: 'client-a',
      deploymentId: 'deployment-1',
      storageTarget: '_parent',
    };
    assert.deepEqual(parseLoginRequest(PARAMS), expected);
    assert.deepEqual(parseLoginRequest(new URLSearchParams(PARAMS)), expected);
  });

  it('leaves the optional parameters null', () => {
    const login = parseLoginRequest({ iss: ISS, login_hint: 'u', target_link_uri: 'https://tool.example.com/x', client_id: '  ' });
    assert.equal(login.ltiMessageHint, null);
    assert.equal(login.clientId, null);
    assert.equal(login.deploymentId, null);
    assert.equal(login.storageTarget, null);
  });

  for (const name of ['iss', 'login_hint', 'target_link_uri'] as const) {
    it(`refuses a login without ${name}`, () => {
      const params: Record<string, string> = { ...PARAMS };
      delete params[name];
      refusedWith('login_missing_param', () => parseLoginRequest(params));
      refusedWith('login_missing_param', () => parseLoginRequest({ ...PARAMS, [name]: '' }));
    });
  }

  it('refuses repeated parameters and a target that is not an http(s) URL', () => {
    refusedWith('login_bad_param', () => parseLoginRequest({ ...PARAMS, iss: [ISS, 'https://evil.example.com'] }));
    const query = new URLSearchParams(PARAMS);
    query.append('login_hint', 'other');
    refusedWith('login_bad_param', () => parseLoginRequest(query));
    refusedWith('login_bad_param', () => parseLoginRequest({ ...PARAMS, target_link_uri: 'javascript:alert(1)' }));
    refusedWith('login_bad_param', () => parseLoginRequest({ ...PARAMS, target_link_uri: '/relative' }));
  });

  it('picks the registration by client id when several share the issuer', () => {
    const a = platform(1, 'client-a');
    const b = platform(2, 'client-b');
    const other = platform(3, 'client-a', 'https://other.example.edu');
    assert.equal(pickLoginPlatform([a, b, other], parseLoginRequest(PARAMS)), a);
    assert.equal(pickLoginPlatform([a, b], parseLoginRequest({ ...PARAMS, client_id: 'client-b' })), b);
    assert.equal(pickLoginPlatform([a, b], parseLoginRequest({ ...PARAMS, client_id: 'client-z' })), null);
    const { client_id: _omit, ...withoutClient } = PARAMS;
    assert.equal(pickLoginPlatform([a, other], parseLoginRequest(withoutClient)), a);
    refusedWith('login_ambiguous_platform', () => pickLoginPlatform([a, b], parseLoginRequest(withoutClient)));
    assert.equal(pickLoginPlatform([other], parseLoginRequest(withoutClient)), null);
  });

  it('redirects to the platform authorization endpoint with the OIDC parameters', () => {
    const p = platform(1, 'client-a');
    const url = new URL(authenticationRedirect(p, parseLoginRequest(PARAMS), { state: 'st', nonce: 'no', redirectUri: 'https://tool.example.com/lti/launch' }));
    assert.equal(`${url.origin}${url.pathname}`, `${ISS}/auth`);
    assert.deepEqual(Object.fromEntries(url.searchParams), {
      tenant: 't1',
      scope: 'openid',
      response_type: 'id_token',
      response_mode: 'form_post',
      prompt: 'none',
      client_id: 'client-a',
      redirect_uri: 'https://tool.example.com/lti/launch',
      login_hint: 'user-42',
      state: 'st',
      nonce: 'no',
      lti_message_hint: 'link-1',
    });
  });

  it('sends no lti_message_hint when the login had none, and the registration client id when the login named none', () => {
    const { client_id: _c, lti_message_hint: _h, ...params } = PARAMS;
    const url = new URL(authenticationRedirect(platform(1, 'client-a'), parseLoginRequest(params), { state: 's', nonce: 'n', redirectUri: 'https://t/l' }));
    assert.equal(url.searchParams.has('lti_message_hint'), false);
    assert.equal(url.searchParams.get('client_id'), 'client-a');
  });

  it('refuses to redirect a login to a registration it does not belong to', () => {
    const login = parseLoginRequest(PARAMS);
    const options = { state: 's', nonce: 'n', redirectUri: 'https://t/l' };
    refusedWith('login_bad_param', () => authenticationRedirect(platform(2, 'client-b'), login, options));
    refusedWith('login_bad_param', () => authenticationRedirect(platform(1, 'client-a', 'https://other.example.edu'), login, options));
  });
});

describe('login state', () => {
  const key = randomBytes(32);
  const input = { platformId: 7, nonce: 'nonce-1', targetLinkUri: 'https://tool.example.com/lti/launch' };

  it('round trips and expires after its ttl', () => {
    const state = issueLoginState(key, input, NOW, 300);
    assert.deepEqual(readLoginState(key, state, NOW + 299_000), { ...input, expiresAt: NOW + 300_000 });
    refusedWith('state_expired', () => readLoginState(key, state, NOW + 300_000));
  });

  it('is different for every login, even with the same inputs', () => {
    assert.notEqual(issueLoginState(key, input, NOW, 300), issueLoginState(key, input, NOW, 300));
    assert.notEqual(newLoginNonce(), newLoginNonce());
    assert.ok(newLoginNonce().length >= 32);
  });

  it('refuses a missing, altered or foreign state', () => {
    const state = issueLoginState(key, input, NOW, 300);
    refusedWith('state_missing', () => readLoginState(key, '', NOW));
    refusedWith('state_missing', () => readLoginState(key, undefined, NOW));
    refusedWith('state_invalid', () => readLoginState(key, `${state}x`, NOW));
    refusedWith('state_invalid', () => readLoginState(key, state.replace(/^./, (c) => (c === 'e' ? 'f' : 'e')), NOW));
    refusedWith('state_invalid', () => readLoginState(randomBytes(32), state, NOW));
    refusedWith('state_invalid', () => readLoginState(key, 'not-a-state', NOW));
  });

  it('refuses another kind of token signed with the same key', () => {
    const session = signToken(key, { exp: NOW / 1000 + 300, pid: 7, non: 'nonce-1', tlu: 'https://t' });
    refusedWith('state_invalid', () => readLoginState(key, session, NOW));
  });
});
