/**
 * One-dimensional PostgreSQL arrays in the binary wire format, for statements that take a
 * whole column of rows as one parameter (`unnest($1::text[], …)`) instead of one parameter per
 * row and column. node-postgres sends a Buffer parameter as binary, and PostgreSQL reads it
 * with the array type's receive function.
 *
 * Binary rather than an array literal (`{"a","b"}`): a literal must escape every `"` and `\`
 * in every element, and PostgreSQL must unescape them again, which for a history batch (the
 * exam's suspend_data, JSON, full of both) costs more than the statement saves. In binary, an
 * element is its length and its UTF-8 bytes, written once.
 *
 * Layout (PostgreSQL's array_recv): dimensions (1), has-nulls flag, element type OID, then the
 * dimension's length and lower bound (1); then each element as a 4-byte length (-1 for NULL)
 * and its bytes. All integers big-endian.
 */

/** Element type OIDs (pg_type): fixed since PostgreSQL's first releases. */
const TEXT_OID = 25;
const INT8_OID = 20;
const INT4_OID = 23;
const FLOAT8_OID = 701;

const HEADER_BYTES = 20;

function header(buffer: Buffer, elementOid: number, length: number, hasNull: boolean): void {
  buffer.writeInt32BE(1, 0);
  buffer.writeInt32BE(hasNull ? 1 : 0, 4);
  buffer.writeInt32BE(elementOid, 8);
  buffer.writeInt32BE(length, 12);
  buffer.writeInt32BE(1, 16);
}

/** A `text[]` parameter; null elements are SQL NULL. */
export function textArray(values: ReadonlyArray<string | null>): Buffer {
  return encodeArray(values, TEXT_OID, (value) => Buffer.byteLength(value, 'utf8'), (buffer, value, at) => buffer.write(value, at, 'utf8'));
}

/** A `bigint[]` parameter of safe integers (ids, epoch milliseconds); null elements are SQL NULL. */
export function bigintArray(values: ReadonlyArray<number | null>): Buffer {
  return encodeArray(values, INT8_OID, () => 8, (buffer, value, at) => {
    if (!Number.isSafeInteger(value)) throw new RangeError(`not a safe integer: ${value}`);
    // High and low 32 bits; for a negative value both come out in two's complement.
    buffer.writeInt32BE(Math.floor(value / 0x1_0000_0000), at);
    buffer.writeUInt32BE(value >>> 0, at + 4);
    return 8;
  });
}

/** An `integer[]` parameter; null elements are SQL NULL. */
export function integerArray(values: ReadonlyArray<number | null>): Buffer {
  return encodeArray(values, INT4_OID, () => 4, (buffer, value, at) => {
    if (!Number.isInteger(value) || value < -0x8000_0000 || value > 0x7fff_ffff) throw new RangeError(`not a 32-bit integer: ${value}`);
    buffer.writeInt32BE(value, at);
    return 4;
  });
}

/** A `double precision[]` parameter; null elements are SQL NULL. */
export function doubleArray(values: ReadonlyArray<number | null>): Buffer {
  return encodeArray(values, FLOAT8_OID, () => 8, (buffer, value, at) => buffer.writeDoubleBE(value, at) - at);
}

/**
 * The header, then each element as its byte length (-1 for NULL) and its bytes. `byteLength`
 * sizes the buffer in a first pass; `write` returns the bytes it wrote, so the second pass does
 * not measure a string again.
 */
function encodeArray<T>(values: ReadonlyArray<T | null>, elementOid: number, byteLength: (value: T) => number, write: (buffer: Buffer, value: T, at: number) => number): Buffer {
  let size = HEADER_BYTES;
  let hasNull = false;
  for (const value of values) {
    if (value === null) hasNull = true;
    size += 4 + (value === null ? 0 : byteLength(value));
  }
  const buffer = Buffer.allocUnsafe(size);
  header(buffer, elementOid, values.length, hasNull);
  let at = HEADER_BYTES;
  for (const value of values) {
    if (value === null) {
      buffer.writeInt32BE(-1, at);
      at += 4;
      continue;
    }
    const written = write(buffer, value, at + 4);
    buffer.writeInt32BE(written, at);
    at += 4 + written;
  }
  return buffer;
}
