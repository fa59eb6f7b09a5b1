/** Shared helpers for the SCORM package tests: the public golf fixtures and refusal checks. */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../src/package-root.js';
import { type PackageErrorCode, PackageError } from '../../src/scorm/package-error.js';

/** The public Rustici "golf" sample packages live in shared/, beside the repo, not in it. */
export const FIXTURES_DIR = join(packageRoot(), '..', 'shared', 'fixtures', 'scorm');

export function fixture(name: string): Buffer {
  const path = join(FIXTURES_DIR, name);
  if (!existsSync(path)) {
    assert.fail(`SCORM fixture missing: ${path} (the public golf packages are expected in ../shared/fixtures/scorm/ beside the repo)`);
  }
  return readFileSync(path);
}

/** Asserts that `promise` rejects with a PackageError of `code`, and returns it for message checks. */
export async function refused(promise: Promise<unknown>, code: PackageErrorCode): Promise<PackageError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof PackageError, `expected a PackageError, got ${String(error)}`);
    assert.equal(error.code, code, `expected ${code}, got ${error.code}: ${error.message}`);
    return error;
  }
  return assert.fail(`expected the package to be refused with ${code}`);
}
