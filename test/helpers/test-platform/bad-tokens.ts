import { randomUUID } from 'node:crypto';
import { SignJWT, base64url } from 'jose';
import type { AgsStore } from './ags-store.js';
import { buildLaunch } from './id-token.js';
import { CLAIM, ROLE } from './lti-names.js';
import type { PlatformState } from './state.js';
import type { BadToken, BadTokenKind, JsonObject, LaunchInput } from './types.js';

export const BAD_TOKEN_KINDS: readonly BadTokenKind[] = [
  'no_kid',
  'unknown_kid',
  'wrong_version',
  'no_version',
  'not_jwt',
  'no_message_type',
  'no_roles',
  'no_deployment_id',
  'no_resource_link_id',
  'no_sub',
  'expired',
  'alg_none',
  'hs256',
  'wrong_aud',
  'nonce_replay',
  'bad_state',
];

/** Launch inputs that a tool must accept (the certification's valid variants), keyed by a readable name. */
export const VALID_VARIANTS: Readonly<Record<string, LaunchInput>> = {
  'multiple roles': { roles: [ROLE.learner, ROLE.instructor, ROLE.administrator] },
  'short role names': { roles: ['Learner'] },
  'unknown roles': { roles: ['http://purl.imsglobal.org/vocab/lis/v2/membership#Learner', 'urn:example:role#Juggler'] },
  'empty roles': { roles: [] },
  'no personal data': { person: null },
  'no context': { context: null },
};

/** Payload changes, applied after the caller's own overrides and mutate. */
const PAYLOAD_DEFECTS: Partial<Record<BadTokenKind, (payload: JsonObject, nowSeconds: number) => void>> = {
  wrong_version: (p) => void (p[CLAIM.version] = '1.2.0'),
  no_version: (p) => void delete p[CLAIM.version],
  no_message_type: (p) => void delete p[CLAIM.messageType],
  no_roles: (p) => void delete p[CLAIM.roles],
  no_deployment_id: (p) => void delete p[CLAIM.deploymentId],
  no_resource_link_id: (p) => {
    const link = p[CLAIM.resourceLink];
    const { id: _id, ...rest } = typeof link === 'object' && link !== null ? (link as JsonObject) : {};
    p[CLAIM.resourceLink] = rest;
  },
  no_sub: (p) => void delete p.sub,
  expired: (p, now) => {
    p.iat = now - 7200;
    p.exp = now - 3600;
  },
  wrong_aud: (p) => {
    p.aud = 'another-tool';
    p.azp = 'another-tool';
  },
};

export function tamperedState(state: string | undefined): string {
  if (state === undefined || state === '') return 'not-the-state-the-tool-issued';
  // Not the last character: in base64url its low bits may be padding, so changing it can
  // leave the decoded bytes (and the signature check) unchanged.
  const at = state.length - 2;
  const changed = state[at] === 'A' ? 'B' : 'A';
  return `${state.slice(0, at)}${changed}${state.slice(at + 1)}`;
}

/**
 * A launch token with exactly one certification defect. Pass the nonce (and the state) of a real
 * login so the tool can fail on nothing else. `nonce_replay` is a well-formed token reusing
 * `input.nonce` (or the last nonce minted); `bad_state` is a well-formed token with a tampered state.
 */
export async function makeBadToken(
  platform: PlatformState,
  ags: AgsStore,
  kind: BadTokenKind,
  input: LaunchInput & { state?: string } = {},
): Promise<BadToken> {
  const { state, ...launch } = input;
  const postState = kind === 'bad_state' ? tamperedState(state) : (state ?? '');
  if (kind === 'not_jwt') return { kind, idToken: 'this-is-not-a-jwt', state: postState };
  if (kind === 'nonce_replay' && launch.nonce === undefined) {
    if (platform.lastNonce === null) throw new Error('Test platform: nonce_replay needs input.nonce or a token minted before.');
    launch.nonce = platform.lastNonce;
  }
  const { payload, header } = buildLaunch(platform, ags, launch);
  PAYLOAD_DEFECTS[kind]?.(payload, Math.floor(platform.now() / 1000));

  if (kind === 'alg_none') {
    const encode = (part: JsonObject): string => base64url.encode(JSON.stringify(part));
    return { kind, idToken: `${encode({ ...header, alg: 'none' })}.${encode(payload)}.`, state: postState };
  }
  if (kind === 'hs256') {
    // Key confusion: HMAC keyed with the platform's own public key, which a careless verifier would use.
    const secret = new TextEncoder().encode(platform.keys.publicPem());
    const token = await new SignJWT(payload).setProtectedHeader({ ...header, alg: 'HS256' }).sign(secret);
    return { kind, idToken: token, state: postState };
  }
  if (kind === 'no_kid') delete header.kid;
  // Signed with the real key so that only the kid lookup can refuse it.
  if (kind === 'unknown_kid') header.kid = `unknown-${randomUUID()}`;
  return { kind, idToken: await platform.keys.sign(payload, header), state: postState };
}
