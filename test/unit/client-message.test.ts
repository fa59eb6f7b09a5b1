import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseClientMessage } from '../../src/realtime/client-message.js';

describe('attempt websocket messages', () => {
  const elements = [
    { k: 'cmi.location', v: 'q2', t: 1_790_000_000_000 },
    { k: 'cmi.suspend_data', v: '{"answers":["x^2", "\\u00e9"]}\n', t: 1_790_000_000_001 },
  ];

  it('reads a hello and a batch', () => {
    assert.deepEqual(parseClientMessage(JSON.stringify({ type: 'hello', token: 't', sessionId: 'session-1' })), { type: 'hello', token: 't', sessionId: 'session-1' });
    assert.deepEqual(parseClientMessage(JSON.stringify({ type: 'batch', seq: 3, elements, terminate: true })), { type: 'batch', seq: 3, elements, terminate: true });
  });

  it('takes a missing or null client time as null, and a missing terminate as false', () => {
    assert.deepEqual(parseClientMessage('{"type":"batch","seq":1,"elements":[{"k":"cmi.location","v":"a"},{"k":"cmi.exit","v":"suspend","t":null}]}'), {
      type: 'batch',
      seq: 1,
      elements: [
        { k: 'cmi.location', v: 'a', t: null },
        { k: 'cmi.exit', v: 'suspend', t: null },
      ],
      terminate: false,
    });
  });

  const refused: Array<[string, string]> = [
    ['text that is not JSON', '{"type":"batch"'],
    ['a message of another type', '{"type":"commit"}'],
    ['a hello with a short session id', '{"type":"hello","token":"t","sessionId":"short"}'],
    ['a batch without a seq', '{"type":"batch","elements":[]}'],
    ['a seq of 0', '{"type":"batch","seq":0,"elements":[]}'],
    ['a seq that is not an integer', '{"type":"batch","seq":1.5,"elements":[]}'],
    ['elements that are not a list', '{"type":"batch","seq":1,"elements":{"cmi.location":"a"}}'],
    ['a value that is a number', '{"type":"batch","seq":1,"elements":[{"k":"cmi.location","v":1}]}'],
    ['a time as text', '{"type":"batch","seq":1,"elements":[{"k":"cmi.location","v":"a","t":"1"}]}'],
    ['a key outside the pattern', '{"type":"batch","seq":1,"elements":[{"k":"cmi location","v":"a"}]}'],
    ['a value over 64 KiB', JSON.stringify({ type: 'batch', seq: 1, elements: [{ k: 'cmi.suspend_data', v: 'x'.repeat(65537) }] })],
    ['more than 2,000 elements', JSON.stringify({ type: 'batch', seq: 1, elements: Array.from({ length: 2001 }, () => ({ k: 'cmi.location', v: 'a' })) })],
  ];
  for (const [what, text] of refused) {
    it(`refuses ${what}`, () => assert.equal(parseClientMessage(text), null));
  }
});
