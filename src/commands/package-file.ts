import { existsSync, statSync } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import type { Kysely } from 'kysely';
import type { ContentGrant } from '../domain/content-grant.js';
import { AppError } from '../lib/errors.js';
import { extractPackage } from '../scorm/extract-package.js';
import { isProtectedPath } from '../scorm/protected-path.js';
import type { Database } from '../store/schema.js';

/** Extractions in progress on this node, so concurrent first requests extract once. */
const extracting = new Map<string, Promise<void>>();

/**
 * Packages live in the database (reachable from every node) and are extracted on first use
 * into a local cache directory named by content hash, which never changes once complete.
 */
async function ensureExtracted(db: Kysely<Database>, cacheRoot: string, sha256: string): Promise<string> {
  const dir = join(cacheRoot, sha256);
  if (existsSync(dir)) return dir;
  let pending = extracting.get(sha256);
  if (!pending) {
    pending = (async () => {
      const blob = await db.selectFrom('package_blobs').select('data').where('sha256', '=', sha256).executeTakeFirst();
      if (!blob) throw new AppError('not_found', 'This exam package is no longer stored.');
      try {
        await extractPackage(Buffer.from(blob.data), dir);
      } catch (error) {
        // Another node process sharing the cache may have finished first: its copy is as good.
        if (!existsSync(dir)) throw error;
      }
    })().finally(() => extracting.delete(sha256));
    extracting.set(sha256, pending);
  }
  await pending;
  return dir;
}

/** The local file for a path inside a granted package, or a not_found error. */
export async function resolvePackageFile(db: Kysely<Database>, cacheRoot: string, grant: ContentGrant, path: string): Promise<string> {
  // The answers of a Numbas exam are in source.exam: never for students.
  if (grant.role !== 'instructor' && isProtectedPath(path, grant.numbas)) {
    throw new AppError('not_found', 'There is no such file in this exam.');
  }
  const dir = await ensureExtracted(db, cacheRoot, grant.sha256);
  const file = resolve(dir, path);
  if (!file.startsWith(dir + sep)) throw new AppError('not_found', 'There is no such file in this exam.');
  const stat = existsSync(file) ? statSync(file) : null;
  if (!stat?.isFile()) throw new AppError('not_found', 'There is no such file in this exam.');
  return file;
}
