import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { inspectPackage } from '../../src/scorm/inspect-package.js';
import { isProtectedPath } from '../../src/scorm/protected-path.js';
import { buildZip } from '../helpers/zip-builder.js';
import { manifestXml } from '../helpers/scorm-manifests.js';

/** Shaped like a Numbas export: SCORM 2004 manifest, numbas-manifest.json, source.exam. */
function numbasLike(numbasManifest: string | null): Buffer {
  return buildZip([
    { name: 'imsmanifest.xml', data: manifestXml({ title: 'Algebra quiz' }) },
    { name: 'index.html', data: '<!doctype html><title>Numbas</title>' },
    { name: 'scripts.js', data: 'Numbas.queueScript("x", [], function () {});' },
    { name: 'source.exam', data: '// Numbas version: 9.0\n{"name": "Algebra quiz", "questions": [{"answer": "42"}]}' },
    ...(numbasManifest === null ? [] : [{ name: 'numbas-manifest.json', data: numbasManifest }]),
  ]);
}

describe('Numbas packages', () => {
  it('reads the Numbas version from numbas-manifest.json', async () => {
    const manifest = JSON.stringify({
      Numbas_version: '9.0',
      source_url: 'https://numbas.example/exam/1/source',
      edit_url: 'https://numbas.example/exam/1/edit',
      locale: 'en-GB',
      features: { run_headless: true, scorm: true, has_index_html: true },
    });
    const result = await inspectPackage(numbasLike(manifest));
    assert.deepEqual(result.numbas, { version: '9.0', name: null });
    assert.equal(result.title, 'Algebra quiz');
    assert.ok(result.files.some((f) => f.path === 'source.exam'));
  });

  it('takes a name and a plain version field when present', async () => {
    const result = await inspectPackage(numbasLike(JSON.stringify({ version: 10, name: 'Week 1' })));
    assert.deepEqual(result.numbas, { version: '10', name: 'Week 1' });
  });

  it('still marks the package as Numbas when numbas-manifest.json is garbage', async () => {
    for (const garbage of ['{not json', '[1, 2]', '"text"', '', '\u0000\u0001']) {
      const result = await inspectPackage(numbasLike(garbage));
      assert.deepEqual(result.numbas, { version: null, name: null }, `for ${JSON.stringify(garbage)}`);
    }
  });

  it('is not Numbas without numbas-manifest.json at the top level', async () => {
    assert.equal((await inspectPackage(numbasLike(null))).numbas, null);
  });

  it('protects source.exam in Numbas packages only', () => {
    assert.equal(isProtectedPath('source.exam', true), true);
    assert.equal(isProtectedPath('source.exam', false), false);
    for (const path of ['SOURCE.EXAM', 'Source.Exam', 'nested/dir/source.exam', '/source.exam', 'a\\source.exam', 'source%2Eexam', 'x/source.exam/']) {
      assert.equal(isProtectedPath(path, true), true, path);
    }
    for (const path of ['index.html', 'source.exam.js', 'my-source.exam', 'source.exam/x.js', 'resources/source.json']) {
      assert.equal(isProtectedPath(path, true), false, path);
    }
  });
});
