/**
 * The OAuth Request Body Hash extension: `oauth_body_hash` is the base64 SHA-1 of the raw
 * request body. LTI Outcomes sends XML, not a form, so without this hash the body would not
 * be covered by the signature at all.
 */
import { createHash } from 'node:crypto';

/**
 * base64 SHA-1 of `body`. Strings are hashed as UTF-8, so hash exactly the bytes that go on
 * the wire: a body re-serialized or re-encoded after hashing no longer verifies.
 */
export function bodyHash(body: string | Buffer): string {
  return createHash('sha1').update(typeof body === 'string' ? Buffer.from(body, 'utf8') : body).digest('base64');
}
