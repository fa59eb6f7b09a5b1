import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { type JsonWebKey, createPublicKey, verify } from 'node:crypto';
import { DeepLinkingError, deepLinkingResponse, ltiResourceLinkItem } from '../../src/lti/lti13/deep-linking.js';
import { generateRsaKeyPair } from '../../src/lti/lti13/jwt.js';

const keys = generateRsaKeyPair();
const key = { kid: keys.kid, privateKeyPem: keys.privateKeyPem };
const NOW = 1_800_000_000_000;

function verified(token: string): { header: Record<string, unknown>; payload: Record<string, unknown> } {
  const [h, p, s] = token.split('.');
  assert.ok(h && p && s !== undefined);
  const publicKey = createPublicKey({ key: keys.publicJwk as JsonWebKey, format: 'jwk' });
  assert.equal(verify('sha256', Buffer.from(`${h}.${p}`), publicKey, Buffer.from(s, 'base64url')), true);
  return {
    header: JSON.parse(Buffer.from(h, 'base64url').toString('utf8')) as Record<string, unknown>,
    payload: JSON.parse(Buffer.from(p, 'base64url').toString('utf8')) as Record<string, unknown>,
  };
}

describe('deep linking response', () => {
  it('signs an LtiDeepLinkingResponse with a resource link declaring a line item, echoing data', () => {
    const item = ltiResourceLinkItem({
      title: '  Algebra final ',
      text: 'Numbas exam',
      url: 'https://exam.example.edu/lti/launch',
      custom: { resource: 'res-12' },
      lineItem: { label: 'Algebra final', scoreMaximum: 100, resourceId: 'res-12', tag: 'exam' },
    });
    const token = deepLinkingResponse(
      {
        toolClientId: 'client-9',
        platformIssuer: 'https://lms.example.edu',
        deploymentId: 'dep-1',
        data: 'opaque-csrf-data',
        items: [item],
        message: 'Added Algebra final',
      },
      key,
      NOW,
    );
    const { header, payload } = verified(token);
    assert.equal(header.alg, 'RS256');
    assert.equal(header.kid, keys.kid);
    assert.equal(payload.iss, 'client-9');
    assert.equal(payload.aud, 'https://lms.example.edu');
    assert.equal(payload.iat, NOW / 1000);
    assert.ok(typeof payload.exp === 'number' && payload.exp > NOW / 1000);
    assert.equal(typeof payload.nonce, 'string');
    assert.equal(payload['https://purl.imsglobal.org/spec/lti/claim/message_type'], 'LtiDeepLinkingResponse');
    assert.equal(payload['https://purl.imsglobal.org/spec/lti/claim/version'], '1.3.0');
    assert.equal(payload['https://purl.imsglobal.org/spec/lti/claim/deployment_id'], 'dep-1');
    assert.equal(payload['https://purl.imsglobal.org/spec/lti-dl/claim/data'], 'opaque-csrf-data');
    assert.equal(payload['https://purl.imsglobal.org/spec/lti-dl/claim/msg'], 'Added Algebra final');
    assert.equal(payload['https://purl.imsglobal.org/spec/lti-dl/claim/errormsg'], undefined);
    assert.deepEqual(payload['https://purl.imsglobal.org/spec/lti-dl/claim/content_items'], [
      {
        type: 'ltiResourceLink',
        title: 'Algebra final',
        text: 'Numbas exam',
        url: 'https://exam.example.edu/lti/launch',
        custom: { resource: 'res-12' },
        lineItem: { label: 'Algebra final', scoreMaximum: 100, resourceId: 'res-12', tag: 'exam' },
      },
    ]);
  });

  it('leaves data out when the request had none, and carries an error message with no items', () => {
    const token = deepLinkingResponse(
      { toolClientId: 'c', platformIssuer: 'https://lms', deploymentId: 'd', data: null, items: [], errorMessage: 'Upload refused' },
      key,
      NOW,
    );
    const { payload } = verified(token);
    assert.ok(!('https://purl.imsglobal.org/spec/lti-dl/claim/data' in payload));
    assert.deepEqual(payload['https://purl.imsglobal.org/spec/lti-dl/claim/content_items'], []);
    assert.equal(payload['https://purl.imsglobal.org/spec/lti-dl/claim/errormsg'], 'Upload refused');
  });

  it('uses a new nonce for every response', () => {
    const input = { toolClientId: 'c', platformIssuer: 'https://lms', deploymentId: 'd', data: undefined, items: [] };
    assert.notEqual(verified(deepLinkingResponse(input, key, NOW)).payload.nonce, verified(deepLinkingResponse(input, key, NOW)).payload.nonce);
  });

  it('refuses items that a platform could not use', () => {
    const bad = (f: () => unknown): void => assert.throws(f, (e: unknown) => e instanceof DeepLinkingError);
    bad(() => ltiResourceLinkItem({ title: ' ' }));
    bad(() => ltiResourceLinkItem({ title: 'x', url: '/relative' }));
    bad(() => ltiResourceLinkItem({ title: 'x', url: 'javascript:alert(1)' }));
    bad(() => ltiResourceLinkItem({ title: 'x', lineItem: { label: 'x', scoreMaximum: 0, resourceId: 'r', tag: 't' } }));
    bad(() => ltiResourceLinkItem({ title: 'x', lineItem: { label: '', scoreMaximum: 1, resourceId: 'r', tag: 't' } }));
    bad(() => ltiResourceLinkItem({ title: 'x', custom: { n: 5 as unknown as string } }));
    assert.deepEqual(ltiResourceLinkItem({ title: 'Plain' }), { type: 'ltiResourceLink', title: 'Plain' });
  });
});
