import { PackageError } from './package-error.js';

export interface EntryName {
  /** Normalised relative path: `/` separators, no empty or `.` segments, no trailing slash. */
  path: string;
  isDirectory: boolean;
}

// Unix file type bits live in the high 16 bits of the external attributes when the
// archiver was Unix-like; other archivers leave them zero, which never matches.
const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;

export function isSymlinkAttributes(externalFileAttributes: number): boolean {
  return ((externalFileAttributes >>> 16) & S_IFMT) === S_IFLNK;
}

/** Entry names end up in messages; quote them so control characters and spaces stay visible. */
export function quoteName(name: string): string {
  const shown = name.length > 200 ? `${name.slice(0, 200)}…` : name;
  return JSON.stringify(shown);
}

/**
 * Checks one entry name against zip slip and friends and returns its normalised form.
 * Backslashes count as separators because Windows archivers write them and Windows
 * extractors honour them, so `..\evil` is as dangerous as `../evil`.
 */
export function checkEntryName(rawName: string, maxPathLength: number): EntryName {
  const name = rawName.replace(/\\/g, '/');
  const unsafe = (why: string): PackageError =>
    new PackageError('unsafe_path', `The package contains a file named ${quoteName(rawName)}, which ${why}. Nothing was unpacked.`);

  if (name.length === 0) throw unsafe('is empty');
  if (/[\u0000-\u001f\u007f]/.test(name)) throw unsafe('contains control characters');
  if (name.length > maxPathLength) throw unsafe(`is longer than ${maxPathLength} characters`);
  if (name.startsWith('/')) throw unsafe('is an absolute path');
  if (/^[A-Za-z]:/.test(name)) throw unsafe('starts with a drive letter');

  const segments = name.split('/');
  if (segments.includes('..')) throw unsafe('points outside the package with ".."');

  const kept = segments.filter((segment) => segment !== '' && segment !== '.');
  return { path: kept.join('/'), isDirectory: name.endsWith('/') };
}
