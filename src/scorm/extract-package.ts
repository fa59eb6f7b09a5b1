import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { type CheckedEntry, type CheckedZip, openCheckedZip } from './checked-zip.js';
import { PackageError } from './package-error.js';
import { type PackageLimits, resolvePackageLimits } from './package-limits.js';
import { quoteName } from './zip-entry-name.js';

export interface ExtractedPackage {
  dir: string;
  files: number;
  /** Real inflated bytes written. */
  bytes: number;
}

/**
 * Unpacks every regular file of a package into `destDir`, which must not exist yet.
 * The zip-level checks of inspectPackage apply (names, links, sizes, real inflated byte
 * counts); the manifest is not looked at, as callers inspect before they extract.
 *
 * Files are written into a hidden sibling folder that is renamed to `destDir` only once
 * complete, so a crash or a refusal half-way never leaves a partial cache behind. If
 * another process finishes the same `destDir` first, the rename fails and our copy is
 * discarded; the caller can then use theirs.
 */
export async function extractPackage(zip: Buffer, destDir: string, limits?: Partial<PackageLimits>): Promise<ExtractedPackage> {
  const target = resolve(destDir);
  if (existsSync(target)) throw new Error(`extractPackage: ${target} already exists; extract into a fresh directory`);

  const checked = await openCheckedZip(zip, resolvePackageLimits(limits));
  const staging = join(dirname(target), `.${basename(target)}.partial-${randomBytes(6).toString('hex')}`);
  try {
    await mkdir(dirname(target), { recursive: true });
    await mkdir(staging);
    const bytes = await writeAll(checked, staging);
    await rename(staging, target);
    return { dir: target, files: checked.files.size, bytes };
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw error;
  } finally {
    checked.close();
  }
}

async function writeAll(checked: CheckedZip, staging: string): Promise<number> {
  let bytes = 0;
  for (const entry of checked.entries) {
    const path = placeInside(staging, entry);
    try {
      if (entry.isDirectory) {
        await mkdir(path, { recursive: true });
      } else {
        await mkdir(dirname(path), { recursive: true });
        bytes += await writeFile(checked, entry, path);
      }
    } catch (error) {
      throw clashOrRethrow(error, entry);
    }
  }
  return bytes;
}

/** Names were checked already; this re-check keeps a future normalisation slip from writing outside. */
function placeInside(root: string, entry: CheckedEntry): string {
  const path = resolve(root, ...entry.path.split('/'));
  if (!path.startsWith(root + sep)) {
    throw new PackageError('unsafe_path', `The package contains ${quoteName(entry.path)}, which points outside the package.`);
  }
  return path;
}

async function writeFile(checked: CheckedZip, entry: CheckedEntry, path: string): Promise<number> {
  // 'wx' refuses to follow or overwrite anything already there, including a link.
  const handle = await open(path, 'wx', 0o644);
  let written = 0;
  try {
    for await (const chunk of checked.chunks(entry)) {
      await handle.write(chunk);
      written += chunk.length;
    }
  } finally {
    await handle.close();
  }
  return written;
}

/** `a` as a file and `a/b` as another entry cannot both exist; the zip is malformed, not the disk. */
function clashOrRethrow(error: unknown, entry: CheckedEntry): unknown {
  if (error instanceof PackageError || !(error instanceof Error)) return error;
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EEXIST' || code === 'ENOTDIR' || code === 'EISDIR') {
    return new PackageError(
      'unsafe_path',
      `The package contains ${quoteName(entry.path)}, which clashes with another entry of the same name. Export it again.`,
      { cause: error },
    );
  }
  return error;
}
