import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { bigintArray, doubleArray, integerArray, textArray } from '../../src/store/repositories/pg-arrays.js';
import { databaseKinds } from '../helpers/test-store.js';

// What PostgreSQL itself reads from the binary arrays: each goes in as a parameter and comes
// back as text, which node-postgres parses with its own array parser (not ours).
for (const kind of databaseKinds().filter((k) => k === 'postgres')) {
  describe(`binary array parameters (${kind})`, () => {
    let client: pg.Client;
    before(async () => {
      client = new pg.Client({ connectionString: process.env.TEST_PG_URL });
      await client.connect();
    });
    after(() => client.end());

    const roundTrip = async (type: string, parameter: Buffer): Promise<unknown> => (await client.query<{ a: unknown }>(`select $1::${type}[]::text[] as a`, [parameter])).rows[0]?.a;

    it('text: empty strings, the word NULL, quotes, backslashes, braces, commas, non-ASCII and long strings stay as they were; null is NULL', async () => {
      const values = ['', 'NULL', null, 'a"b\\c', '{x,y}', ' spaced ', 'ünïcödé € 😀', '{"k":"v \\" q"}'.repeat(5000), 'plain'];
      assert.deepEqual(await roundTrip('text', textArray(values)), values);
    });

    it('bigint: zero, negatives, the 32-bit boundaries and the largest safe integers', async () => {
      const values = [0, 1, -1, 4294967295, 4294967296, -4294967296, -4294967297, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER, 1_795_567_387_000, null];
      assert.deepEqual(await roundTrip('bigint', bigintArray(values)), values.map((v) => (v === null ? null : String(v))));
    });

    it('integer: zero and the 32-bit limits', async () => {
      const values = [0, -1, 2147483647, -2147483648, null, 7];
      assert.deepEqual(await roundTrip('integer', integerArray(values)), values.map((v) => (v === null ? null : String(v))));
    });

    it('double precision: fractions, large and small magnitudes', async () => {
      const values = [0.5, -1.25, 1e300, 2.5e-300, null, 0.1 + 0.2];
      const back = (await client.query<{ a: number[] }>('select $1::double precision[] as a', [doubleArray(values)])).rows[0]?.a;
      assert.deepEqual(back, values);
    });

    it('an array with no elements', async () => {
      assert.deepEqual(await roundTrip('text', textArray([])), []);
      assert.deepEqual(await roundTrip('bigint', bigintArray([])), []);
    });
  });
}

describe('binary array parameters refuse what their type cannot hold', () => {
  it('bigint: unsafe and fractional numbers', () => {
    assert.throws(() => bigintArray([2 ** 53]), RangeError);
    assert.throws(() => bigintArray([1.5]), RangeError);
    assert.throws(() => bigintArray([Number.NaN]), RangeError);
  });

  it('integer: beyond 32 bits, and fractions', () => {
    assert.throws(() => integerArray([2 ** 31]), RangeError);
    assert.throws(() => integerArray([-(2 ** 31) - 1]), RangeError);
    assert.throws(() => integerArray([0.5]), RangeError);
  });

  it('text: the layout is one dimension, a NULL flag, the element type, then length-prefixed UTF-8', () => {
    const buffer = textArray(['é', null]);
    assert.deepEqual([buffer.readInt32BE(0), buffer.readInt32BE(4), buffer.readInt32BE(8), buffer.readInt32BE(12), buffer.readInt32BE(16)], [1, 1, 25, 2, 1]);
    assert.equal(buffer.readInt32BE(20), 2);
    assert.equal(buffer.subarray(24, 26).toString('utf8'), 'é');
    assert.equal(buffer.readInt32BE(26), -1);
    assert.equal(buffer.length, 30);
  });
});
