import { createHash, randomBytes } from 'node:crypto';

/**
 * Admin sessions are opaque random tokens held in a cookie; the database keeps only their
 * SHA-256, so a leaked database (or backup) holds no usable session.
 */
export const ADMIN_SESSION_TTL_MS = 12 * 3600 * 1000;

export function newAdminSessionToken(): string {
  return randomBytes(32).toString('base64url');
}

export function hashAdminSessionToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}
