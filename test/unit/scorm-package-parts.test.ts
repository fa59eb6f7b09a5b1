import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { resolveLaunchHref } from '../../src/scorm/launch-href.js';
import { childElements, decodeXmlBytes, parseManifestXml, textContent } from '../../src/scorm/manifest-xml.js';
import { checkEntryName, isSymlinkAttributes } from '../../src/scorm/zip-entry-name.js';
import { PackageError } from '../../src/scorm/package-error.js';
import { DEFAULT_PACKAGE_LIMITS, resolvePackageLimits } from '../../src/scorm/package-limits.js';

describe('resolveLaunchHref', () => {
  it('joins xml:base values as folders and normalises dot segments', () => {
    assert.deepEqual(resolveLaunchHref(['content/', 'exam'], './pages/../index.html'), { path: 'content/exam/index.html', query: null });
    assert.deepEqual(resolveLaunchHref([], 'a/b/../c.html'), { path: 'a/c.html', query: null });
  });

  it('splits off the query and drops a fragment', () => {
    assert.deepEqual(resolveLaunchHref([], 'index.html?a=1&b=2#top'), { path: 'index.html', query: 'a=1&b=2' });
    assert.deepEqual(resolveLaunchHref([], 'index.html?'), { path: 'index.html', query: null });
  });

  it('appends item parameters with or without a leading ? or &', () => {
    assert.equal(resolveLaunchHref([], 'i.html?a=1', '?b=2')?.query, 'a=1&b=2');
    assert.equal(resolveLaunchHref([], 'i.html', '&b=2')?.query, 'b=2');
    assert.equal(resolveLaunchHref([], 'i.html', 'b=2')?.query, 'b=2');
    assert.equal(resolveLaunchHref([], 'i.html', '#part2')?.query, null);
  });

  it('refuses targets outside the package', () => {
    for (const [bases, href] of [
      [[], 'https://example.org/x.html'],
      [[], '//example.org/x.html'],
      [[], '/index.html'],
      [[], '../index.html'],
      [['a/'], '../../index.html'],
      [['https://cdn.example/'], 'index.html'],
      [['/abs/'], 'index.html'],
      [[], 'javascript:alert(1)'],
      [[], ''],
      [[], '?only=query'],
    ] as Array<[string[], string]>) {
      assert.equal(resolveLaunchHref(bases, href), null, `${bases.join('+')} ${href}`);
    }
  });

  it('percent-decodes segments and tolerates a stray %', () => {
    assert.equal(resolveLaunchHref([], 'my%20exam/na%C3%AFve.html')?.path, 'my exam/naïve.html');
    assert.equal(resolveLaunchHref([], '100%.html')?.path, '100%.html');
  });
});

describe('zip entry names', () => {
  it('normalises separators and empty or dot segments', () => {
    assert.deepEqual(checkEntryName('a\\b\\c.txt', 1000), { path: 'a/b/c.txt', isDirectory: false });
    assert.deepEqual(checkEntryName('./a//b/', 1000), { path: 'a/b', isDirectory: true });
  });

  it('refuses traversal, absolute paths, drive letters and control characters', () => {
    for (const name of ['..', 'a/..', '../x', '/x', '\\x', 'c:x', 'D:\\x', 'a\u001fb', 'a\u007fb', '']) {
      assert.throws(() => checkEntryName(name, 1000), (e: unknown) => e instanceof PackageError && e.code === 'unsafe_path', name);
    }
    assert.doesNotThrow(() => checkEntryName('a..b/...html', 1000));
  });

  it('recognises the Unix symlink file type only', () => {
    assert.equal(isSymlinkAttributes((0o120777 << 16) >>> 0), true);
    assert.equal(isSymlinkAttributes((0o100644 << 16) >>> 0), false);
    assert.equal(isSymlinkAttributes((0o040755 << 16) >>> 0 | 0x10), false);
    assert.equal(isSymlinkAttributes(0x20), false, 'an MS-DOS archive bit');
  });
});

describe('package limits', () => {
  it('has the documented defaults and lets callers override some', () => {
    assert.equal(DEFAULT_PACKAGE_LIMITS.maxZipBytes, 50 * 1024 * 1024);
    assert.equal(DEFAULT_PACKAGE_LIMITS.maxFiles, 5000);
    assert.equal(DEFAULT_PACKAGE_LIMITS.maxUncompressedBytes, 500 * 1024 * 1024);
    assert.equal(DEFAULT_PACKAGE_LIMITS.maxCompressionRatio, 200);
    assert.equal(DEFAULT_PACKAGE_LIMITS.maxManifestBytes, 5 * 1024 * 1024);
    assert.equal(DEFAULT_PACKAGE_LIMITS.maxPathLength, 1000);
    const limits = resolvePackageLimits({ maxFiles: 10, maxPathLength: undefined });
    assert.equal(limits.maxFiles, 10);
    assert.equal(limits.maxPathLength, 1000);
  });
});

describe('decodeXmlBytes', () => {
  it('honours a UTF-8 or UTF-16 byte-order mark and a declared Latin-1 encoding', () => {
    const text = '<manifest><title>Übung</title></manifest>';
    assert.equal(decodeXmlBytes(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)])), text);
    assert.equal(decodeXmlBytes(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')])), text);
    const latin = `<?xml version="1.0" encoding="ISO-8859-1"?>${text}`;
    assert.equal(decodeXmlBytes(Buffer.from(latin, 'latin1')), latin);
    assert.equal(decodeXmlBytes(Buffer.from(text, 'utf8')), text);
  });
});

describe('textContent', () => {
  const titleOf = (xml: string): string => {
    const root = parseManifestXml(xml);
    const org = childElements(childElements(root, 'organizations')[0] ?? {}, 'organization')[0] ?? {};
    return textContent(childElements(org, 'title')[0] ?? {});
  };
  const cases: Array<[string, string, string]> = [
    ['plain text', '<title>Algebra 1</title>', 'Algebra 1'],
    ['escaped text', '<title>Sets &amp; maps</title>', 'Sets & maps'],
    ['a CDATA section, kept literally', '<title><![CDATA[Quiz & <b>1</b>]]></title>', 'Quiz & <b>1</b>'],
  ];
  for (const [name, title, expected] of cases) {
    it(`reads ${name}`, () => assert.equal(titleOf(`<manifest><organizations><organization>${title}</organization></organizations></manifest>`), expected));
  }
});
