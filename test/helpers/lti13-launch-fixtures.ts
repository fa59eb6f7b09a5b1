/**
 * LTI 1.3 launch fixtures for the pipeline tests: a platform registration (and a sibling that
 * shares its issuer), its keys served through a fake JWKS fetch, and a complete, valid resource
 * link launch that each test changes in one way.
 */
import assert from 'node:assert/strict';
import { randomBytes, sign } from 'node:crypto';
import { LTI13 } from '../../src/lti/constants.js';
import { JwksCache } from '../../src/lti/lti13/jwks-cache.js';
import { type JwtPayload, type PublicJwk, generateRsaKeyPair, signJwt } from '../../src/lti/lti13/jwt.js';
import type { LaunchDeps, LaunchInput } from '../../src/lti/lti13/launch-pipeline.js';
import { issueLoginState } from '../../src/lti/lti13/login-state.js';
import { Lti13Error } from '../../src/lti/lti13/lti13-error.js';
import type { Lti13Platform } from '../../src/lti/lti13/platform.js';

export const C = LTI13.claims;
export const NOW = Date.UTC(2026, 0, 15, 10, 0, 0);
export const NOW_S = NOW / 1000;
export const ISS = 'https://lms.example.edu';
export const CLIENT = 'tool-client-1';
export const JWKS_URL = 'https://lms.example.edu/.well-known/jwks.json';
export const platformKey = generateRsaKeyPair();
export const rotatedKey = generateRsaKeyPair();
export const strangerKey = generateRsaKeyPair();
export const stateKey = randomBytes(32);

export function platform(id: number, clientId: string, extra: Partial<Lti13Platform> = {}): Lti13Platform {
  return {
    id,
    consumer_id: 100 + id,
    issuer: ISS,
    client_id: clientId,
    auth_login_url: `${ISS}/auth`,
    token_url: `${ISS}/token`,
    jwks_url: JWKS_URL,
    token_audience: null,
    disabled_at: null,
    ...extra,
  };
}

export const PLATFORM = platform(7, CLIENT);
/** Same issuer, another client id (Canvas-style shared issuer). */
export const SIBLING = platform(8, 'tool-client-2');
export const DISABLED = platform(9, 'tool-client-3', { disabled_at: NOW - 1000 });

export interface Harness {
  deps: LaunchDeps;
  fetches: string[];
  publish(keys: PublicJwk[]): void;
}

export function harness(): Harness {
  let published: PublicJwk[] = [platformKey.publicJwk];
  const fetches: string[] = [];
  const jwks = new JwksCache({
    timeoutMs: 1000,
    minRefetchMs: 60_000,
    fetchImpl: async (url) => {
      fetches.push(String(url));
      return new Response(JSON.stringify({ keys: published }), { status: 200, headers: { 'content-type': 'application/json' } });
    },
  });
  const used = new Set<string>();
  return {
    fetches,
    publish: (keys) => {
      published = keys;
    },
    deps: {
      findPlatforms: async (iss, clientIds) => [PLATFORM, SIBLING, DISABLED].filter((p) => p.issuer === iss && clientIds.includes(p.client_id)),
      jwks,
      consumeNonce: async (platformId, nonce) => {
        const k = `${platformId}:${nonce}`;
        if (used.has(k)) return false;
        used.add(k);
        return true;
      },
      knownDeployment: async (platformId, deploymentId) => platformId === PLATFORM.id && deploymentId === 'deployment-1',
      now: NOW,
    },
  };
}

/** A complete, valid resource link launch as the certification suite's reference payload has it. */
export function payload(nonce: string): JwtPayload {
  return {
    iss: ISS,
    aud: CLIENT,
    sub: 'user-42',
    exp: NOW_S + 300,
    iat: NOW_S - 5,
    nonce,
    given_name: 'Ada',
    family_name: 'Lovelace',
    name: 'Ada Lovelace',
    email: 'ada@example.edu',
    [C.messageType]: 'LtiResourceLinkRequest',
    [C.version]: '1.3.0',
    [C.deploymentId]: 'deployment-1',
    [C.targetLinkUri]: 'https://tool.example.com/lti/launch',
    [C.resourceLink]: { id: 'link-1', title: 'Final exam', description: 'Three hours' },
    [C.roles]: ['http://purl.imsglobal.org/vocab/lis/v2/membership#Learner'],
    [C.context]: { id: 'course-1', label: 'MATH101', title: 'Mathematics', type: ['http://purl.imsglobal.org/vocab/lis/v2/course#CourseOffering'] },
    [C.custom]: { exam_mode: 'strict', attempts: 2 },
    [C.launchPresentation]: { document_target: 'iframe', return_url: 'https://lms.example.edu/return', locale: 'en-GB' },
    [C.ags]: {
      scope: ['https://purl.imsglobal.org/spec/lti-ags/scope/score', 'https://purl.imsglobal.org/spec/lti-ags/scope/lineitem'],
      lineitem: 'https://lms.example.edu/lineitems/1',
      lineitems: 'https://lms.example.edu/lineitems',
    },
    [C.nrps]: { context_memberships_url: 'https://lms.example.edu/memberships', service_versions: ['2.0'] },
    [C.toolPlatform]: { guid: 'lms-guid', name: 'Example LMS', product_family_code: 'example' },
  };
}

export function b64(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

export function rawRs256(header: Record<string, unknown>, body: JwtPayload, pem = platformKey.privateKeyPem): string {
  const input = `${b64(header)}.${b64(body)}`;
  return `${input}.${sign('sha256', Buffer.from(input), pem).toString('base64url')}`;
}

export interface LaunchOptions {
  /** Changes to the payload; a value of undefined deletes the claim. */
  set?: Record<string, unknown>;
  /** Build the id_token from the payload some other way than signing with the platform key. */
  token?: (body: JwtPayload) => string;
  state?: (valid: string) => string;
  stateNonce?: string;
  browserState?: string | null;
  platformId?: number;
}

export function launchInput(o: LaunchOptions = {}): LaunchInput {
  const nonce = randomBytes(12).toString('base64url');
  const body = payload(nonce);
  for (const [k, v] of Object.entries(o.set ?? {})) {
    if (v === undefined) delete body[k];
    else body[k] = v;
  }
  const state = issueLoginState(
    stateKey,
    { platformId: o.platformId ?? PLATFORM.id, nonce: o.stateNonce ?? nonce, targetLinkUri: 'https://tool.example.com/lti/launch' },
    NOW - 2000,
    300,
  );
  const input: LaunchInput = {
    idToken: o.token ? o.token(body) : signJwt(body, platformKey),
    state: o.state ? o.state(state) : state,
    stateKey,
  };
  if (o.browserState !== undefined) input.browserState = o.browserState;
  return input;
}

export async function refused(promise: Promise<unknown>): Promise<Lti13Error> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof Lti13Error, `expected Lti13Error, got ${String(error)}`);
    assert.ok(error.message.length > 10);
    return error;
  }
  assert.fail('the launch was accepted');
}

