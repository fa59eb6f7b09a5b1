import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseIdHistory } from '../../src/lti/lti13/id-history.js';

describe('$Context.id.history / $ResourceLink.id.history values', () => {
  it('reads ids most recent first, with escaped commas', () => {
    assert.deepEqual(parseIdHistory('link-3, link-2,link-1'), ['link-3', 'link-2', 'link-1']);
    assert.deepEqual(parseIdHistory('a\\,b,c'), ['a,b', 'c']);
  });

  it('treats an unsubstituted variable, an empty value or no value as no history', () => {
    assert.deepEqual(parseIdHistory('$ResourceLink.id.history'), []);
    assert.deepEqual(parseIdHistory(''), []);
    assert.deepEqual(parseIdHistory(undefined), []);
  });

  it('drops empty and repeated ids', () => {
    assert.deepEqual(parseIdHistory('a,,b,a,'), ['a', 'b']);
  });
});
