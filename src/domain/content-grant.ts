import { signToken, verifyToken } from '../lib/signed-token.js';

/**
 * Permission to fetch one package version's files, carried as a path segment
 * (/content/<grant>/index.html) so that the package's relative URLs keep working inside the
 * grant. It names who may see protected files (instructors), and expires.
 */
export interface ContentGrant {
  v: 1;
  packageVersionId: number;
  sha256: string;
  /** The attempt it was issued for; null for an instructor's test run. */
  attemptId: number | null;
  role: 'instructor' | 'student';
  /** Numbas packages hold their answers in source.exam, which students must never get. */
  numbas: boolean;
  exp: number;
}

export function issueContentGrant(key: Buffer, grant: Omit<ContentGrant, 'v' | 'exp'>, nowMs: number, ttlSeconds: number): string {
  return signToken(key, { v: 1, ...grant, exp: Math.floor(nowMs / 1000) + ttlSeconds });
}

export function readContentGrant(key: Buffer, token: string, nowMs: number): ContentGrant | null {
  const result = verifyToken<ContentGrant>(key, token, Math.floor(nowMs / 1000));
  if (!result.ok) return null;
  const g = result.payload;
  return g.v === 1 && Number.isInteger(g.packageVersionId) && typeof g.sha256 === 'string' && /^[0-9a-f]{64}$/.test(g.sha256) ? g : null;
}
