import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PREPARED_SIZES, isPreparedSize, sizedChunks } from '../../src/store/repositories/chunks.js';

describe('sizedChunks', () => {
  const cases: Array<[rows: number, sizes: number[]]> = [
    [0, []],
    [1, [1]],
    [49, [49]],
    [50, [50]],
    [99, [50, 49]],
    [687, [500, 100, 50, 37]],
    [1000, [1000]],
    [2640, [1000, 1000, 500, 100, 40]],
    [2999, [1000, 1000, 500, 250, 100, 100, 49]],
  ];
  for (const [rows, sizes] of cases) {
    it(`splits ${rows} rows into ${sizes.join(' + ') || 'nothing'}`, () => {
      const input = Array.from({ length: rows }, (_, i) => i);
      const parts = sizedChunks(input);
      assert.deepEqual(parts.map((p) => p.length), sizes);
      assert.deepEqual(parts.flat(), input, 'every row once, in order');
      // All but a last piece under the smallest size are prepared sizes.
      for (const part of parts.slice(0, -1)) assert.ok(isPreparedSize(part.length));
    });
  }

  it('keeps the sizes few, largest first, and within the bound-parameter limits', () => {
    assert.ok(PREPARED_SIZES.length <= 6);
    assert.deepEqual([...PREPARED_SIZES].sort((a, b) => b - a), [...PREPARED_SIZES]);
    assert.ok((PREPARED_SIZES[0] as number) * 10 < 32_766);
  });
});
