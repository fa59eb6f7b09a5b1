import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { hashPassword, verifyPassword } from '../../src/lib/password.js';

describe('password hashing', () => {
  it('hashes in the scrypt$N$r$p$salt$hash format with a fresh salt each time', async () => {
    const a = await hashPassword('correct horse battery');
    const b = await hashPassword('correct horse battery');
    const parts = a.split('$');
    assert.equal(parts.length, 6);
    assert.deepEqual(parts.slice(0, 4), ['scrypt', String(2 ** 15), '8', '1']);
    assert.equal(Buffer.from(parts[4] ?? '', 'base64').length, 16);
    assert.equal(Buffer.from(parts[5] ?? '', 'base64').length, 32);
    assert.notEqual(a, b, 'salted');
    assert.ok(!a.includes('correct horse'));
  });

  it('verifies the right password and refuses a wrong one', async () => {
    const hash = await hashPassword('correct horse battery');
    assert.equal(await verifyPassword('correct horse battery', hash), true);
    assert.equal(await verifyPassword('correct horse battery ', hash), false);
    assert.equal(await verifyPassword('Correct horse battery', hash), false);
    assert.equal(await verifyPassword('', hash), false);
  });

  it('refuses a tampered or malformed hash without throwing', async () => {
    const hash = await hashPassword('correct horse battery');
    const parts = hash.split('$');
    const key = Buffer.from(parts[5] ?? '', 'base64');
    key[0] = (key[0] ?? 0) ^ 1;
    const flippedKey = [...parts.slice(0, 5), key.toString('base64')].join('$');
    assert.equal(await verifyPassword('correct horse battery', flippedKey), false);
    const otherSalt = [...parts.slice(0, 4), Buffer.alloc(16, 7).toString('base64'), parts[5]].join('$');
    assert.equal(await verifyPassword('correct horse battery', otherSalt), false);
    for (const bad of [
      '',
      'plain-text',
      hash.replace(/^scrypt/, 'bcrypt'),
      hash.split('$').slice(0, 5).join('$'),
      ['scrypt', 3, 8, 1, parts[4], parts[5]].join('$'), // N not a power of two
      ['scrypt', 2 ** 30, 8, 1, parts[4], parts[5]].join('$'), // absurd cost
      ['scrypt', 2 ** 15, 8, 1, '!!!', parts[5]].join('$'),
    ]) {
      assert.equal(await verifyPassword('correct horse battery', bad), false, bad);
    }
  });

  it('treats composed and decomposed accents as the same password', async () => {
    const hash = await hashPassword('caf\u00e9-passphrase');
    assert.equal(await verifyPassword('cafe\u0301-passphrase', hash), true);
  });
});
