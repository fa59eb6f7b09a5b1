import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { PlatformRefusal, mediaType, parseJsonObject } from './http-kit.js';
import { ALL_SERVICE_SCOPES, MESSAGE, PLATFORM_CONFIGURATION, TOOL_CONFIGURATION } from './lti-names.js';
import { type PlatformState, addClient } from './state.js';
import type { JsonObject, RegistrationRecord } from './types.js';

const SUPPORTED_MESSAGES = [MESSAGE.resourceLink, MESSAGE.deepLinking, MESSAGE.submissionReview] as string[];

function isUrl(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

/**
 * LTI Dynamic Registration, platform side: the openid configuration, one-time registration
 * tokens, and /register, which checks the tool's configuration as a strict platform does and
 * makes a client with one deployment.
 */
export class Registration {
  private readonly unusedTokens = new Set<string>();
  private readonly log: RegistrationRecord[] = [];
  private tamper: ((config: JsonObject) => void) | null = null;

  constructor(private readonly state: PlatformState) {}

  get configurationUrl(): string {
    return `${this.state.origin}/.well-known/openid-configuration`;
  }

  /** The URL an admin opens to start registration: the tool's URL with openid_configuration and registration_token. */
  launchUrl(toolRegisterUrl: string): string {
    const token = randomBytes(18).toString('base64url');
    this.unusedTokens.add(token);
    const url = new URL(toolRegisterUrl);
    url.searchParams.set('openid_configuration', this.configurationUrl);
    url.searchParams.set('registration_token', token);
    return url.href;
  }

  /** Lets a test serve a wrong configuration (say, another issuer); null serves the real one again. */
  tamperConfiguration(fn: ((config: JsonObject) => void) | null): void {
    this.tamper = fn;
  }

  records(): RegistrationRecord[] {
    return this.log.map((r) => ({ ...r }));
  }

  configuration(): JsonObject {
    const o = this.state.origin;
    const config: JsonObject = {
      issuer: o,
      authorization_endpoint: `${o}/auth`,
      token_endpoint: `${o}/token`,
      token_endpoint_auth_methods_supported: ['private_key_jwt'],
      token_endpoint_auth_signing_alg_values_supported: ['RS256'],
      jwks_uri: `${o}/jwks`,
      registration_endpoint: `${o}/register`,
      scopes_supported: ['openid', ...ALL_SERVICE_SCOPES],
      response_types_supported: ['id_token'],
      subject_types_supported: ['public', 'pairwise'],
      id_token_signing_alg_values_supported: ['RS256'],
      claims_supported: ['iss', 'aud', 'sub', 'name', 'given_name', 'family_name', 'email'],
      [PLATFORM_CONFIGURATION]: {
        product_family_code: 'test-platform',
        version: '1.0',
        messages_supported: [
          { type: MESSAGE.resourceLink },
          { type: MESSAGE.deepLinking, placements: ['ContextPlacementLaunch'] },
          { type: MESSAGE.submissionReview },
        ],
        variables: ['Context.id.history', 'ResourceLink.id.history', 'ResourceLink.submission.endDateTime'],
      },
    };
    this.tamper?.(config);
    return config;
  }

  /** Handles POST /register; returns the response body (the configuration with client_id and deployment_id). */
  register(req: IncomingMessage, body: Buffer): JsonObject {
    const record: RegistrationRecord = { at: this.state.now(), accepted: false, detail: null, request: null, clientId: null, deploymentId: null };
    this.log.push(record);
    try {
      const token = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
      if (token === undefined || !this.unusedTokens.has(token)) {
        throw new PlatformRefusal(401, 'invalid_token', 'A valid, unused registration token is required as the Bearer token.');
      }
      if (mediaType(req) !== 'application/json') throw new PlatformRefusal(415, 'invalid_client_metadata', 'Content-Type must be application/json.');
      const request = parseJsonObject(body);
      record.request = request;
      const { scopes, tool } = this.check(request);
      this.unusedTokens.delete(token);
      const clientId = `client-${randomUUID()}`;
      const deploymentId = `deployment-${randomUUID()}`;
      addClient(this.state, {
        clientId,
        deploymentIds: [deploymentId],
        redirectUris: request.redirect_uris as string[],
        loginUrl: request.initiate_login_uri as string,
        toolJwksUrl: request.jwks_uri as string,
        allowedScopes: scopes,
        targetLinkUri: tool.target_link_uri as string,
      });
      record.accepted = true;
      record.clientId = clientId;
      record.deploymentId = deploymentId;
      return { ...request, client_id: clientId, scope: scopes.join(' '), [TOOL_CONFIGURATION]: { ...tool, deployment_id: deploymentId } };
    } catch (error) {
      record.detail = error instanceof Error ? error.message : String(error);
      throw error;
    }
  }

  private check(request: JsonObject): { scopes: string[]; tool: JsonObject } {
    const refuse = (message: string): never => {
      throw new PlatformRefusal(400, 'invalid_client_metadata', message);
    };
    const list = (name: string): unknown[] => (Array.isArray(request[name]) ? (request[name] as unknown[]) : refuse(`${name} must be an array.`));
    if (request.application_type !== 'web') refuse('application_type must be web.');
    if (!list('response_types').includes('id_token')) refuse('response_types must include id_token.');
    const grants = list('grant_types');
    if (!grants.includes('implicit') || !grants.includes('client_credentials')) refuse('grant_types must include implicit and client_credentials.');
    if (!isUrl(request.initiate_login_uri)) refuse('initiate_login_uri must be a URL.');
    const redirects = list('redirect_uris');
    if (redirects.length === 0 || !redirects.every(isUrl)) refuse('redirect_uris must be a non-empty list of URLs.');
    if (typeof request.client_name !== 'string' || request.client_name === '') refuse('client_name is required.');
    if (!isUrl(request.jwks_uri)) refuse('jwks_uri must be a URL.');
    if (request.token_endpoint_auth_method !== 'private_key_jwt') refuse('token_endpoint_auth_method must be private_key_jwt.');
    const requested = typeof request.scope === 'string' ? request.scope.split(' ').filter((s) => s !== '') : [];
    const unknown = requested.filter((s) => !ALL_SERVICE_SCOPES.includes(s));
    if (unknown.length > 0) refuse(`Unsupported scopes: ${unknown.join(' ')}.`);

    const tool = request[TOOL_CONFIGURATION];
    if (typeof tool !== 'object' || tool === null) return refuse(`${TOOL_CONFIGURATION} is required.`);
    const t = tool as JsonObject;
    if (typeof t.domain !== 'string' || t.domain === '') refuse('The tool configuration needs a domain.');
    if (!isUrl(t.target_link_uri)) refuse('The tool configuration needs a target_link_uri URL.');
    const host = new URL(t.target_link_uri as string).host;
    if (host !== t.domain && new URL(t.target_link_uri as string).hostname !== t.domain) refuse('target_link_uri is not on the tool domain.');
    if (t.claims !== undefined && (!Array.isArray(t.claims) || !t.claims.every((c) => typeof c === 'string'))) refuse('claims must be a list of strings.');
    const messages = Array.isArray(t.messages) ? (t.messages as JsonObject[]) : refuse('The tool configuration needs messages.');
    for (const m of messages) {
      if (typeof m !== 'object' || m === null || typeof m.type !== 'string') refuse('Every message needs a type.');
      if (!SUPPORTED_MESSAGES.includes(m.type as string)) refuse(`Message type ${String(m.type)} is not supported by this platform.`);
      if (m.target_link_uri !== undefined && !isUrl(m.target_link_uri)) refuse('A message target_link_uri must be a URL.');
    }
    if (t.custom_parameters !== undefined && (typeof t.custom_parameters !== 'object' || t.custom_parameters === null)) {
      refuse('custom_parameters must be an object.');
    }
    return { scopes: requested, tool: t };
  }
}
