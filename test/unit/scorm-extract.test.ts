import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { extractPackage } from '../../src/scorm/extract-package.js';
import { inspectPackage } from '../../src/scorm/inspect-package.js';
import type { PackageErrorCode } from '../../src/scorm/package-error.js';
import { fixture, refused } from '../helpers/scorm-fixtures.js';
import { manifestXml } from '../helpers/scorm-manifests.js';
import { type ZipEntrySpec, buildZip } from '../helpers/zip-builder.js';

const scratch = mkdtempSync(join(tmpdir(), 'scorm-extract-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

let counter = 0;
/** A fresh parent folder per case, so "nothing left behind" can be checked by listing it. */
function freshParent(): string {
  return join(scratch, `case-${++counter}`, 'inner');
}

function withManifest(extra: ZipEntrySpec[]): Buffer {
  return buildZip([{ name: 'imsmanifest.xml', data: manifestXml() }, { name: 'index.html', data: '<!doctype html>' }, ...extra]);
}

describe('extractPackage', () => {
  it('extracts every file of a golf package with its real size', async () => {
    const zip = fixture('RuntimeBasicCalls_SCORM20043rdEdition.zip');
    const inspected = await inspectPackage(zip);
    const dest = join(freshParent(), inspected.sha256);
    const result = await extractPackage(zip, dest);
    assert.equal(result.dir, dest);
    assert.equal(result.files, inspected.files.length);
    assert.equal(result.bytes, inspected.uncompressedBytes);
    for (const file of inspected.files) assert.equal(statSync(join(dest, file.path)).size, file.size, file.path);
    assert.match(readFileSync(join(dest, 'imsmanifest.xml'), 'utf8'), /2004 3rd Edition/);
    assert.ok(statSync(join(dest, 'common')).isDirectory());
    assert.deepEqual(readdirSync(join(dest, '..')), [inspected.sha256], 'no staging folder left beside it');
  });

  it('refuses to extract into a folder that already exists', async () => {
    const dest = freshParent();
    await extractPackage(withManifest([]), dest);
    await assert.rejects(extractPackage(withManifest([]), dest), /already exists/);
  });

  const bad: Array<[string, Buffer, PackageErrorCode]> = [
    ['a zip slip entry', withManifest([{ name: '../evil.txt', data: 'pwned' }]), 'unsafe_path'],
    ['a nested zip slip entry', withManifest([{ name: 'a/../../evil.txt', data: 'pwned' }]), 'unsafe_path'],
    ['an absolute entry', withManifest([{ name: '/tmp/evil.txt', data: 'pwned' }]), 'unsafe_path'],
    ['a symlink', withManifest([{ name: 'link', data: '/etc/passwd', unixMode: 0o120777 }]), 'symlink'],
    ['a zip bomb', withManifest([{ name: 'zeros.bin', data: Buffer.alloc(20 * 1024 * 1024) }]), 'zip_bomb'],
    ['a file that inflates past its declared size', withManifest([{ name: 'late.bin', data: Buffer.alloc(300_000, 7), declaredSize: 1000 }]), 'zip_bomb'],
    ['a file and a folder of the same name', withManifest([{ name: 'a', data: 'x' }, { name: 'a/b', data: 'y' }]), 'unsafe_path'],
    ['random bytes', Buffer.from('definitely not a zip file, just some text'), 'not_zip'],
  ];
  for (const [label, zip, code] of bad) {
    it(`refuses ${label} and leaves nothing behind`, async () => {
      const parent = freshParent();
      const dest = join(parent, 'pkg');
      await refused(extractPackage(zip, dest), code);
      assert.equal(existsSync(dest), false);
      if (existsSync(parent)) assert.deepEqual(readdirSync(parent), [], 'no staging folder left');
      assert.equal(existsSync(join(parent, 'evil.txt')), false);
      assert.equal(existsSync(join(parent, '..', 'evil.txt')), false);
    });
  }

  it('applies the limits it is given', async () => {
    const zip = withManifest([{ name: 'data.bin', data: Buffer.alloc(5000, 1) }]);
    await refused(extractPackage(zip, join(freshParent(), 'pkg'), { maxUncompressedBytes: 4000 }), 'too_large');
    await refused(extractPackage(zip, join(freshParent(), 'pkg'), { maxFiles: 2 }), 'too_many_files');
  });
});
