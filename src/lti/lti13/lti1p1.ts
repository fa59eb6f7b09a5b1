/**
 * The `lti1p1` claim of the 1EdTech LTI 1.1 → 1.3 migration: a platform that used to launch
 * this tool over LTI 1.1 tells which 1.1 user, link and context a 1.3 launch is, and proves it
 * knows the old consumer secret by signing
 *   oauth_consumer_key & deployment_id & iss & client_id & exp & nonce
 * (the values joined with "&", not encoded) with HMAC-SHA256, base64.
 * Only a verified claim may map a 1.3 user onto the 1.1 one, or a course could be claimed by
 * any platform that knows a consumer key.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export interface Lti1p1Claim {
  userId: string | null;
  oauthConsumerKey: string | null;
  oauthConsumerKeySign: string | null;
  resourceLinkId: string | null;
  contextId: string | null;
  toolConsumerInstanceGuid: string | null;
}

export interface Lti1p1SignatureInput {
  deploymentId: string;
  iss: string;
  clientId: string;
  /** The id_token's `exp`, in seconds, as it was sent. */
  exp: number;
  nonce: string;
}

function text(value: unknown): string | null {
  if (typeof value === 'number') return String(value);
  return typeof value === 'string' && value.trim() !== '' ? value : null;
}

/** Reads the claim's fields; null when the claim is absent or not an object. */
export function readLti1p1Claim(value: unknown): Lti1p1Claim | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const c = value as Record<string, unknown>;
  return {
    userId: text(c.user_id),
    oauthConsumerKey: text(c.oauth_consumer_key),
    oauthConsumerKeySign: text(c.oauth_consumer_key_sign),
    resourceLinkId: text(c.resource_link_id),
    contextId: text(c.context_id),
    toolConsumerInstanceGuid: text(c.tool_consumer_instance_guid),
  };
}

export function lti1p1SignatureBaseString(oauthConsumerKey: string, input: Lti1p1SignatureInput): string {
  return [oauthConsumerKey, input.deploymentId, input.iss, input.clientId, String(input.exp), input.nonce].join('&');
}

/** The base64 `oauth_consumer_key_sign` a platform sends (used by tests and tools that sign). */
export function signLti1p1(oauthConsumerKey: string, consumerSecret: string, input: Lti1p1SignatureInput): string {
  return createHmac('sha256', consumerSecret).update(lti1p1SignatureBaseString(oauthConsumerKey, input), 'utf8').digest('base64');
}

/**
 * True when the claim carries a consumer key and a signature made with `consumerSecret` over
 * this launch's deployment, issuer, client id, exp and nonce (so a claim cannot be lifted from
 * another launch). The caller looks the secret up by `claim.oauthConsumerKey`.
 */
export function verifyLti1p1Signature(
  claim: Lti1p1Claim,
  input: Lti1p1SignatureInput & { consumerSecret: string },
): boolean {
  if (claim.oauthConsumerKey === null || claim.oauthConsumerKeySign === null) return false;
  const expected = Buffer.from(signLti1p1(claim.oauthConsumerKey, input.consumerSecret, input), 'utf8');
  const given = Buffer.from(claim.oauthConsumerKeySign, 'utf8');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
