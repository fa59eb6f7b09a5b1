import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { issueSessionToken, readSessionToken, sessionMessage } from '../../src/domain/session-token.js';
import { signToken } from '../../src/lib/signed-token.js';

const key = randomBytes(32);
const NOW = Date.UTC(2026, 0, 1);
const base = { consumerId: 1, userId: 2, resourceLinkId: 3, role: 'student' as const, launchId: 4 };

describe('session token message kind', () => {
  it('reads a token without a message (LTI 1.1, older tokens) as a resource link session', () => {
    const { token } = issueSessionToken(key, base, NOW, 600);
    const read = readSessionToken(key, token, NOW);
    assert.ok(read.ok);
    assert.equal(read.session.message, undefined);
    assert.equal(sessionMessage(read.session), 'resource-link');
  });

  it('carries deep linking and submission review kinds, with the reviewed user', () => {
    const { token } = issueSessionToken(key, { ...base, message: 'submission-review', forUser: 'student-9' }, NOW, 600);
    const read = readSessionToken(key, token, NOW);
    assert.ok(read.ok);
    assert.equal(sessionMessage(read.session), 'submission-review');
    assert.equal(read.session.forUser, 'student-9');
    const dl = readSessionToken(key, issueSessionToken(key, { ...base, message: 'deep-linking' }, NOW, 600).token, NOW);
    assert.ok(dl.ok && sessionMessage(dl.session) === 'deep-linking');
  });

  it('refuses a signed token with an unknown message kind', () => {
    const token = signToken(key, { v: 1, ...base, message: 'something-else', exp: NOW / 1000 + 600 });
    assert.deepEqual(readSessionToken(key, token, NOW), { ok: false, reason: 'malformed' });
  });
});
