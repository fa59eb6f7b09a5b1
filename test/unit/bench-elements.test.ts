import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ANSWER_ELEMENTS, answerBatch, answerJson } from '../../bench/attempts/elements.js';

describe('attempt benchmark: pre-encoded answers', () => {
  it('are the JSON that JSON.stringify gives for the same answer', () => {
    for (const answer of [0, 7, 19, 20, 1_234]) {
      const { json, count } = answerJson(answer, 1_790_000_000_000);
      const parsed = JSON.parse(json) as Array<{ k: string; v: string; t: number }>;
      assert.equal(JSON.stringify(parsed), json, 'canonical JSON');
      assert.equal(count, ANSWER_ELEMENTS);
      assert.equal(parsed.length, ANSWER_ELEMENTS);
      const expected = answerBatch(answer, 1_790_000_000_000);
      // The suspend_data string is drawn from the same pool at random: compare all but its value.
      assert.deepEqual(parsed.slice(0, 3), expected.slice(0, 3));
      assert.equal(parsed[3]?.k, 'cmi.suspend_data');
      assert.equal(parsed[3]?.v.length, expected[3]?.v.length);
    }
  });
});
