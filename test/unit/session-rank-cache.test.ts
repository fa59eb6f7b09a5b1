import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SessionRankCache, sessionKey } from '../../src/commands/session-rank-cache.js';

describe('SessionRankCache', () => {
  it('gives back a remembered rank for its attempt and session only', () => {
    const cache = new SessionRankCache();
    cache.remember(1, 's1', 100);
    assert.equal(cache.get(1, 's1'), 100);
    assert.equal(cache.get(1, 's2'), undefined);
    assert.equal(cache.get(2, 's1'), undefined);
  });

  it('forgets the least recently remembered session beyond its capacity', () => {
    const cache = new SessionRankCache(2);
    cache.remember(1, 'a', 10);
    cache.remember(2, 'b', 20);
    cache.remember(1, 'a', 10); // used again: now the newest
    cache.remember(3, 'c', 30);
    assert.equal(cache.get(2, 'b'), undefined);
    assert.equal(cache.get(1, 'a'), 10);
    assert.equal(cache.get(3, 'c'), 30);
  });

  it('keys cannot collide across attempts and sessions', () => {
    assert.notEqual(sessionKey(1, '23'), sessionKey(12, '3'));
  });
});
