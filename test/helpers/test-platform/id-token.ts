import { createHmac, randomUUID } from 'node:crypto';
import type { AgsStore } from './ags-store.js';
import { AGS_SCOPES, CLAIM, CONTEXT_TYPE_COURSE, MESSAGE, ROLE, SCOPE } from './lti-names.js';
import { type PlatformState, findClient } from './state.js';
import type { JsonObject, LaunchInput, Lti1p1Input, MintedToken } from './types.js';

const MESSAGE_TYPES = {
  resource_link: MESSAGE.resourceLink,
  deep_linking: MESSAGE.deepLinking,
  submission_review: MESSAGE.submissionReview,
} as const;

/** oauth_consumer_key_sign of the lti1p1 claim: base64 HMAC-SHA256 over key&deployment&iss&client&exp&nonce. */
export function lti1p1Claim(input: Lti1p1Input, signed: { deploymentId: string; iss: string; clientId: string; exp: number; nonce: string }): JsonObject {
  const base = [input.consumerKey, signed.deploymentId, signed.iss, signed.clientId, String(signed.exp), signed.nonce].join('&');
  const claim: JsonObject = {
    user_id: input.userId,
    oauth_consumer_key: input.consumerKey,
    oauth_consumer_key_sign: createHmac('sha256', input.consumerSecret).update(base).digest('base64'),
  };
  if (input.resourceLinkId !== undefined) claim.resource_link_id = input.resourceLinkId;
  if (input.contextId !== undefined) claim.context_id = input.contextId;
  return claim;
}

/** The payload and header a real platform would sign for `input`, before overrides and mutate. */
export function buildLaunch(state: PlatformState, ags: AgsStore, input: LaunchInput): { payload: JsonObject; header: JsonObject; nonce: string } {
  const kind = input.kind ?? 'resource_link';
  const client = findClient(state, input.clientId);
  const deploymentId = input.deploymentId ?? client.deploymentIds[0] ?? 'deployment-1';
  const nonce = input.nonce ?? randomUUID();
  const iat = Math.floor(state.now() / 1000);
  const exp = iat + (input.lifetimeSeconds ?? state.idTokenTtlSeconds);
  const instructorish = kind !== 'resource_link';
  const context = input.context === undefined ? { id: 'course-1', label: 'C1', title: 'Course 1', type: [CONTEXT_TYPE_COURSE] } : input.context;
  const targetLinkUri = input.targetLinkUri ?? client.targetLinkUri ?? client.redirectUris[0] ?? `${state.origin}/no-target`;

  const payload: JsonObject = {
    iss: state.origin,
    aud: client.clientId,
    azp: client.clientId,
    sub: input.sub ?? (instructorish ? 'instructor-1' : 'student-1'),
    iat,
    exp,
    nonce,
    [CLAIM.messageType]: MESSAGE_TYPES[kind],
    [CLAIM.version]: '1.3.0',
    [CLAIM.deploymentId]: deploymentId,
    [CLAIM.targetLinkUri]: targetLinkUri,
    [CLAIM.roles]: input.roles ?? [instructorish ? ROLE.instructor : ROLE.learner],
    [CLAIM.toolPlatform]: { guid: `${state.origin}/platform`, name: 'Test Platform', product_family_code: 'test-platform', version: '1.0' },
    [CLAIM.launchPresentation]: { document_target: 'iframe', return_url: `${state.origin}/return`, locale: 'en' },
  };
  const person = input.person === undefined ? { given_name: 'Ada', family_name: 'Lovelace', name: 'Ada Lovelace', email: 'ada@example.test' } : input.person;
  if (person !== null) Object.assign(payload, person);
  if (context !== null) payload[CLAIM.context] = context;
  if (input.custom !== undefined) payload[CLAIM.custom] = input.custom;

  if (kind !== 'deep_linking') {
    payload[CLAIM.resourceLink] = input.resourceLink ?? { id: 'link-1', title: 'Exam' };
  }
  if (context !== null && input.ags !== null) {
    const scopes = input.ags?.scopes ?? client.allowedScopes.filter((s) => AGS_SCOPES.includes(s));
    const claim: JsonObject = { scope: scopes, lineitems: ags.lineItemsUrl(context.id) };
    const lineitem = input.ags?.lineitem ?? (kind === 'submission_review' ? ags.list(context.id).at(-1)?.id : undefined);
    if (lineitem !== undefined) claim.lineitem = lineitem;
    payload[CLAIM.ags] = claim;
  }
  if (context !== null && input.nrps !== false && client.allowedScopes.includes(SCOPE.memberships)) {
    payload[CLAIM.nrps] = {
      context_memberships_url: `${state.origin}/contexts/${encodeURIComponent(context.id)}/memberships`,
      service_versions: ['2.0'],
    };
  }
  if (kind === 'deep_linking') {
    const settings = {
      deep_link_return_url: `${state.origin}/deep-link-return`,
      accept_types: ['ltiResourceLink'],
      accept_presentation_document_targets: ['iframe', 'window'],
      accept_multiple: true,
      accept_lineitem: true,
      auto_create: true,
      title: 'Add an exam',
      data: `dl-${randomUUID()}`,
      ...input.deepLinking,
    };
    payload[CLAIM.deepLinkingSettings] = settings;
    if (typeof settings.data === 'string') {
      state.deepLinkRequests.set(settings.data, {
        data: settings.data,
        clientId: client.clientId,
        deploymentId,
        contextId: context?.id ?? null,
        acceptLineItem: settings.accept_lineitem !== false,
      });
    }
  }
  if (kind === 'submission_review') {
    payload[CLAIM.forUser] = input.forUser ?? { user_id: 'student-1', roles: [ROLE.learner] };
  }
  if (input.lti1p1 !== undefined) {
    payload[CLAIM.lti1p1] = lti1p1Claim(input.lti1p1, { deploymentId, iss: state.origin, clientId: client.clientId, exp, nonce });
  }
  for (const [name, value] of Object.entries(input.overrides ?? {})) {
    if (value === undefined) delete payload[name];
    else payload[name] = value;
  }
  const header: JsonObject = { alg: 'RS256', typ: 'JWT', kid: state.keys.currentKid };
  input.mutate?.(payload, header);
  return { payload, header, nonce };
}

export async function mintIdToken(state: PlatformState, ags: AgsStore, input: LaunchInput): Promise<MintedToken> {
  const { payload, header, nonce } = buildLaunch(state, ags, input);
  state.lastNonce = nonce;
  return { idToken: await state.keys.sign(payload, header), payload, header, nonce };
}
