import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { extractPackage } from '../../src/scorm/extract-package.js';
import { inspectPackage } from '../../src/scorm/inspect-package.js';
import { buildSamplePackage, samplePackageFiles } from '../../src/scorm/sample-packages.js';

const scratch = mkdtempSync(join(tmpdir(), 'scorm-samples-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

const TEST_IDS = ['answer-1', 'answer-2', 'answer-3', 'submit-1', 'submit-2', 'submit-3', 'next', 'prev', 'end-exam', 'confirm-end', 'score', 'status'];

describe('sample SCORM packages', () => {
  for (const [which, title] of [['2004', 'Sample exam (SCORM 2004)'], ['1.2', 'Sample exam (SCORM 1.2)']] as const) {
    it(`builds the SCORM ${which} sample, which passes inspection`, async () => {
      const zip = await buildSamplePackage(which);
      const result = await inspectPackage(zip);
      assert.equal(result.scormVersion, which);
      assert.equal(result.launchPath, 'index.html');
      assert.equal(result.launchQuery, null);
      assert.equal(result.title, title);
      assert.equal(result.numbas, null);
      assert.deepEqual(result.files.map((f) => f.path), ['exam.css', 'exam.js', 'imsmanifest.xml', 'index.html']);
      const extracted = await extractPackage(zip, join(scratch, which));
      assert.deepEqual(readdirSync(extracted.dir).sort(), ['exam.css', 'exam.js', 'imsmanifest.xml', 'index.html']);
    });

    it(`builds the SCORM ${which} sample byte-for-byte reproducibly`, async () => {
      const [a, b] = await Promise.all([buildSamplePackage(which), buildSamplePackage(which)]);
      assert.ok(a.equals(b));
    });

    it(`gives every element the browser tests use a data-testid (SCORM ${which})`, async () => {
      const page = (await samplePackageFiles(which)).get('index.html')?.toString('utf8') ?? '';
      for (const id of TEST_IDS) assert.ok(page.includes(`data-testid="${id}"`), id);
      assert.match(page, new RegExp(`<html lang="en" data-scorm="${which}">`));
    });

    it(`loads nothing from other hosts and has no inline handlers (SCORM ${which})`, async () => {
      const files = await samplePackageFiles(which);
      for (const file of ['index.html', 'exam.js', 'exam.css']) {
        const text = files.get(file)?.toString('utf8') ?? '';
        assert.doesNotMatch(text, /(https?:)?\/\/[a-z0-9.-]+\.[a-z]{2,}\//i, `${file} names a host`);
        assert.doesNotMatch(text, /\son[a-z]+\s*=/i, `${file} has an inline event handler`);
      }
      assert.doesNotMatch(files.get('index.html')?.toString('utf8') ?? '', /<script>|<style>/);
    });
  }

});
