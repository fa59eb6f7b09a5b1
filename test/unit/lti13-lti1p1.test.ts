import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import {
  type Lti1p1Claim,
  lti1p1SignatureBaseString,
  readLti1p1Claim,
  signLti1p1,
  verifyLti1p1Signature,
} from '../../src/lti/lti13/lti1p1.js';

const SECRET = 'my-lti11-secret';
const LAUNCH = { deploymentId: 'deployment-1', iss: 'https://lms.example.edu', clientId: 'tool-client-1', exp: 1768471500, nonce: 'nonce-abc' };

/** Written out by hand from the migration spec: key & deployment_id & iss & client_id & exp & nonce. */
const BASE = 'consumer-key-1&deployment-1&https://lms.example.edu&tool-client-1&1768471500&nonce-abc';
/** The same HMAC computed outside Node (Python's hmac module). */
const KNOWN_SIGN = 'kxUB6rUjEjLrE+xjrbRCz/Bd/b0qMpcVHRDxthqwPUQ=';

function claim(sign: string | null, key: string | null = 'consumer-key-1'): Lti1p1Claim {
  return { userId: 'u-11', oauthConsumerKey: key, oauthConsumerKeySign: sign, resourceLinkId: null, contextId: null, toolConsumerInstanceGuid: null };
}

describe('lti1p1 migration claim signature', () => {
  it('builds the base string in the spec order, unencoded', () => {
    assert.equal(lti1p1SignatureBaseString('consumer-key-1', LAUNCH), BASE);
  });

  it('matches a vector computed independently with createHmac and with another HMAC implementation', () => {
    const independent = createHmac('sha256', SECRET).update(BASE).digest('base64');
    assert.equal(independent, KNOWN_SIGN);
    assert.equal(signLti1p1('consumer-key-1', SECRET, LAUNCH), KNOWN_SIGN);
    assert.equal(verifyLti1p1Signature(claim(KNOWN_SIGN), { ...LAUNCH, consumerSecret: SECRET }), true);
  });

  it('refuses a wrong secret', () => {
    assert.equal(verifyLti1p1Signature(claim(KNOWN_SIGN), { ...LAUNCH, consumerSecret: 'another-secret' }), false);
  });

  const changes: Array<[string, Partial<typeof LAUNCH>]> = [
    ['deployment', { deploymentId: 'deployment-2' }],
    ['issuer', { iss: 'https://other.example.edu' }],
    ['client id', { clientId: 'tool-client-2' }],
    ['exp', { exp: LAUNCH.exp + 1 }],
    ['nonce', { nonce: 'nonce-abd' }],
  ];
  for (const [what, change] of changes) {
    it(`refuses the signature of another launch (${what} differs)`, () => {
      assert.equal(verifyLti1p1Signature(claim(KNOWN_SIGN), { ...LAUNCH, ...change, consumerSecret: SECRET }), false);
    });
  }

  it('refuses another consumer key, a missing key or signature, and a truncated signature', () => {
    assert.equal(verifyLti1p1Signature(claim(KNOWN_SIGN, 'consumer-key-2'), { ...LAUNCH, consumerSecret: SECRET }), false);
    assert.equal(verifyLti1p1Signature(claim(KNOWN_SIGN, null), { ...LAUNCH, consumerSecret: SECRET }), false);
    assert.equal(verifyLti1p1Signature(claim(null), { ...LAUNCH, consumerSecret: SECRET }), false);
    assert.equal(verifyLti1p1Signature(claim(KNOWN_SIGN.slice(0, -2)), { ...LAUNCH, consumerSecret: SECRET }), false);
  });

  it('reads the claim fields, and nothing from a claim that is not an object', () => {
    assert.deepEqual(
      readLti1p1Claim({
        user_id: 'u-11',
        oauth_consumer_key: 'consumer-key-1',
        oauth_consumer_key_sign: KNOWN_SIGN,
        resource_link_id: 'rl-11',
        context_id: 'ctx-11',
        tool_consumer_instance_guid: 'guid',
      }),
      {
        userId: 'u-11',
        oauthConsumerKey: 'consumer-key-1',
        oauthConsumerKeySign: KNOWN_SIGN,
        resourceLinkId: 'rl-11',
        contextId: 'ctx-11',
        toolConsumerInstanceGuid: 'guid',
      },
    );
    assert.equal(readLti1p1Claim(undefined), null);
    assert.equal(readLti1p1Claim('x'), null);
    assert.equal(readLti1p1Claim([]), null);
    assert.equal(readLti1p1Claim({ user_id: 12 })?.userId, '12');
  });
});
