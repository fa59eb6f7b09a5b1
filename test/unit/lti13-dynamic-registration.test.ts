import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { LTI13_SERVICES } from '../../src/lti/constants.js';
import {
  RegistrationError,
  fetchOpenIdConfiguration,
  postRegistration,
  toolConfiguration,
} from '../../src/lti/lti13/dynamic-registration.js';
import { type Reply, withRecordingServer } from '../helpers/recording-server.js';

const TOOL_CONFIG = 'https://purl.imsglobal.org/spec/lti-tool-configuration';

function openIdConfiguration(issuer: string, base: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    issuer,
    authorization_endpoint: `${base}/auth`,
    token_endpoint: `${base}/token`,
    jwks_uri: `${base}/jwks`,
    registration_endpoint: `${base}/register`,
    authorization_server: `${base}/token-aud`,
    token_endpoint_auth_methods_supported: ['private_key_jwt'],
    id_token_signing_alg_values_supported: ['RS256'],
    scopes_supported: ['openid', LTI13_SERVICES.scopes.score],
    claims_supported: ['sub', 'iss', 'name'],
    'https://purl.imsglobal.org/spec/lti-platform-configuration': {
      product_family_code: 'moodle',
      version: '4.5',
      messages_supported: [{ type: 'LtiResourceLinkRequest' }, { type: 'LtiDeepLinkingRequest', placements: ['ContentArea'] }],
      variables: ['Context.id.history'],
    },
    ...overrides,
  };
}

async function refusal(promise: Promise<unknown>): Promise<RegistrationError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof RegistrationError, `expected RegistrationError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected a refusal');
}

describe('fetchOpenIdConfiguration', () => {
  it('GETs the configuration with the registration token and reads it', async () => {
    await withRecordingServer(
      (_req, base) => ({ body: openIdConfiguration(base, base) }),
      async (server) => {
        const config = await fetchOpenIdConfiguration(`${server.url}/.well-known/openid-configuration`, 'reg-token-1');
        assert.equal(server.requests[0]?.method, 'GET');
        assert.equal(server.requests[0]?.headers.authorization, 'Bearer reg-token-1');
        assert.equal(config.issuer, server.url);
        assert.equal(config.tokenEndpoint, `${server.url}/token`);
        assert.equal(config.registrationEndpoint, `${server.url}/register`);
        assert.equal(config.tokenAudience, `${server.url}/token-aud`);
        assert.equal(config.productFamilyCode, 'moodle');
        assert.deepEqual(config.messagesSupported, [
          { type: 'LtiResourceLinkRequest', placements: [] },
          { type: 'LtiDeepLinkingRequest', placements: ['ContentArea'] },
        ]);
        assert.deepEqual(config.variables, ['Context.id.history']);
      },
    );
  });

  it('refuses an issuer on another host than the configuration URL', async () => {
    await withRecordingServer(
      (_req, base) => ({ body: openIdConfiguration('https://lms.example.edu', base) }),
      async (server) => {
        const error = await refusal(fetchOpenIdConfiguration(`${server.url}/.well-known/openid-configuration`));
        assert.equal(error.kind, 'invalid');
        assert.equal(error.retryable, false);
        assert.match(error.description, /issuer "https:\/\/lms\.example\.edu".*must be on the same host/);
        assert.equal(server.requests[0]?.headers.authorization, undefined, 'no token, no Authorization header');
      },
    );
  });

  it('refuses a configuration missing a required endpoint or unable to take our assertions', async () => {
    let reply: (base: string) => Reply = (base) => ({ body: openIdConfiguration(base, base, { registration_endpoint: undefined }) });
    await withRecordingServer(
      (_req, base) => reply(base),
      async (server) => {
        const url = `${server.url}/.well-known/openid-configuration`;
        assert.match((await refusal(fetchOpenIdConfiguration(url))).description, /no "registration_endpoint"/);
        reply = (base) => ({ body: openIdConfiguration(base, base, { token_endpoint_auth_methods_supported: ['client_secret_basic'] }) });
        assert.match((await refusal(fetchOpenIdConfiguration(url))).description, /private_key_jwt/);
        reply = () => ({ status: 404, body: 'not here' });
        const missing = await refusal(fetchOpenIdConfiguration(url));
        assert.equal(missing.status, 404);
      },
    );
  });
});

describe('tool configuration and registration', () => {
  const registration = toolConfiguration({
    toolUrl: 'https://exam.example.edu/prefix/',
    name: 'Exams',
    logoUri: 'https://exam.example.edu/logo.svg',
    scopes: [LTI13_SERVICES.scopes.score, LTI13_SERVICES.scopes.lineItem, LTI13_SERVICES.scopes.score],
    claims: ['iss', 'sub', 'name'],
    messages: [{ type: 'LtiResourceLinkRequest' }, { type: 'LtiDeepLinkingRequest', label: 'Add an exam' }],
    customParameters: { context_history: '$Context.id.history' },
  });

  it('builds the LTI tool registration', () => {
    assert.deepEqual(registration, {
      application_type: 'web',
      response_types: ['id_token'],
      grant_types: ['implicit', 'client_credentials'],
      initiate_login_uri: 'https://exam.example.edu/prefix/lti/login',
      redirect_uris: ['https://exam.example.edu/prefix/lti/launch'],
      client_name: 'Exams',
      jwks_uri: 'https://exam.example.edu/prefix/lti/jwks',
      logo_uri: 'https://exam.example.edu/logo.svg',
      token_endpoint_auth_method: 'private_key_jwt',
      scope: `${LTI13_SERVICES.scopes.score} ${LTI13_SERVICES.scopes.lineItem}`,
      [TOOL_CONFIG]: {
        domain: 'exam.example.edu',
        target_link_uri: 'https://exam.example.edu/prefix/lti/launch',
        custom_parameters: { context_history: '$Context.id.history' },
        claims: ['iss', 'sub', 'name'],
        messages: [
          { type: 'LtiResourceLinkRequest', target_link_uri: 'https://exam.example.edu/prefix/lti/launch' },
          {
            type: 'LtiDeepLinkingRequest',
            target_link_uri: 'https://exam.example.edu/prefix/lti/launch',
            label: 'Add an exam',
            supported_types: ['ltiResourceLink'],
          },
        ],
      },
    });
  });

  it('posts the registration as JSON with the token and reads client_id and deployment_id', async () => {
    await withRecordingServer(
      (req) => ({
        body: { ...(JSON.parse(req.body) as object), client_id: 'new-client', [TOOL_CONFIG]: { deployment_id: 'dep-77' } },
      }),
      async (server) => {
        const answer = await postRegistration(`${server.url}/register`, 'reg-token-2', registration);
        assert.equal(answer.clientId, 'new-client');
        assert.equal(answer.deploymentId, 'dep-77');
        const [req] = server.requests;
        assert.equal(req?.method, 'POST');
        assert.equal(req?.headers['content-type'], 'application/json');
        assert.equal(req?.headers.authorization, 'Bearer reg-token-2');
        assert.deepEqual(JSON.parse(req?.body ?? ''), registration);
      },
    );
  });

  it('refuses an answer without client_id and reports a refused registration', async () => {
    let reply: Reply = { body: { error: 'none' } };
    await withRecordingServer(
      () => reply,
      async (server) => {
        const noId = await refusal(postRegistration(`${server.url}/register`, null, registration));
        assert.match(noId.description, /client_id/);
        reply = { status: 400, body: { error: 'invalid_client_metadata', error_description: 'bad redirect_uris' } };
        const refused = await refusal(postRegistration(`${server.url}/register`, null, registration));
        assert.equal(refused.retryable, false);
        assert.match(refused.description, /invalid_client_metadata: bad redirect_uris/);
      },
    );
  });
});
