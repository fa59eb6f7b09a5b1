/**
 * Percent-encoding as OAuth 1.0a defines it (RFC 5849 §3.6, which is RFC 3986 with the
 * unreserved set only). Both sides of a signature must encode byte-for-byte the same way,
 * so this cannot be encodeURIComponent: that leaves `!*'()` bare, and a signer that
 * encodes them (as every conforming one does) would then never match.
 */

/** RFC 3986 §2.3 unreserved characters: the only bytes that stay as they are. */
function isUnreserved(byte: number): boolean {
  return (
    (byte >= 0x41 && byte <= 0x5a) || // A-Z
    (byte >= 0x61 && byte <= 0x7a) || // a-z
    (byte >= 0x30 && byte <= 0x39) || // 0-9
    byte === 0x2d || // -
    byte === 0x2e || // .
    byte === 0x5f || // _
    byte === 0x7e // ~
  );
}

/**
 * Encodes `value` as UTF-8 and then every byte outside the unreserved set as `%XX` with
 * uppercase hex. Works on bytes rather than on encodeURIComponent's output so a lone
 * surrogate (which encodeURIComponent throws on) becomes U+FFFD instead of an exception
 * in the middle of a launch.
 */
export function percentEncode(value: string): string {
  let out = '';
  for (const byte of Buffer.from(value, 'utf8')) {
    out += isUnreserved(byte) ? String.fromCharCode(byte) : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}
