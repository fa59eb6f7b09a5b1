import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { inspectPackage } from '../../src/scorm/inspect-package.js';
import { fixture, refused } from '../helpers/scorm-fixtures.js';
import { type ZipEntrySpec, buildZip } from '../helpers/zip-builder.js';
import { manifestXml } from '../helpers/scorm-manifests.js';

const PAGE = '<!doctype html><title>x</title>';

/** A valid SCORM 2004 package plus extra entries. */
function withManifest(extra: ZipEntrySpec[], manifest = manifestXml()): Buffer {
  return buildZip([{ name: 'imsmanifest.xml', data: manifest }, { name: 'index.html', data: PAGE }, ...extra]);
}

describe('inspectPackage: public golf sample packages', () => {
  it('reads the SCORM 2004 3rd edition package', async () => {
    const zip = fixture('RuntimeBasicCalls_SCORM20043rdEdition.zip');
    const result = await inspectPackage(zip);
    assert.equal(result.scormVersion, '2004');
    assert.equal(result.schemaVersion, '2004 3rd Edition');
    assert.equal(result.launchPath, 'shared/launchpage.html');
    assert.equal(result.launchQuery, null);
    assert.equal(result.title, 'Golf Explained - Run-time Basic Calls');
    assert.equal(result.numbas, null);
    assert.equal(result.sha256, createHash('sha256').update(zip).digest('hex'));
    assert.ok(result.files.some((f) => f.path === 'imsmanifest.xml'));
    assert.ok(result.files.every((f) => !f.path.endsWith('/')), 'directories are not listed as files');
    assert.equal(result.uncompressedBytes, result.files.reduce((sum, f) => sum + f.size, 0));
  });

  const scorm12: Array<[string, string, string]> = [
    ['singlescobasic.zip', 'shared/launchpage.html', 'Golf Explained - Run-time Basic Calls'],
    ['singlesco_scorm12.zip', 'shared/launchpage.html', 'Golf Explained - CP Single SCO'],
    ['RuntimeMinimumCalls_SCORM12.zip', 'Playing/Playing.html', 'Golf Explained - Minimum Run-time Calls'],
    ['RuntimeMinimumCalls_SCORM12-mini.zip', 'Playing/Playing.html', 'Golf Explained - Minimum Run-time Calls'],
  ];
  for (const [name, launchPath, title] of scorm12) {
    it(`reads the SCORM 1.2 package ${name}`, async () => {
      const result = await inspectPackage(fixture(name));
      assert.equal(result.scormVersion, '1.2');
      assert.equal(result.schemaVersion, '1.2');
      assert.equal(result.launchPath, launchPath);
      assert.equal(result.title, title);
    });
  }

  it('refuses the package without an organization, saying so plainly', async () => {
    const error = await refused(inspectPackage(fixture('singlescobasic_missingorg.zip')), 'no_organization');
    assert.equal(error.message, 'The manifest has no <organization>, so there is nothing to launch.');
  });
});

describe('inspectPackage: archives that are not safe to unpack', () => {
  for (const name of ['../evil.txt', 'a/../../evil.txt', '/etc/x', 'C:/Windows/evil.txt', '..\\evil.txt', 'a\\..\\..\\evil.txt', 'a\u0000b.txt', 'tab\there.txt']) {
    it(`refuses the entry name ${JSON.stringify(name)} (zip slip)`, async () => {
      const error = await refused(inspectPackage(withManifest([{ name, data: 'x' }])), 'unsafe_path');
      assert.match(error.message, /The package contains a file named/);
    });
  }

  it('refuses an entry name longer than the limit', async () => {
    const name = `${'a'.repeat(60)}.html`;
    await refused(inspectPackage(withManifest([{ name, data: 'x' }]), { maxPathLength: 50 }), 'unsafe_path');
    await inspectPackage(withManifest([{ name, data: 'x' }]), { maxPathLength: 100 });
  });

  it('refuses the same name twice', async () => {
    await refused(inspectPackage(withManifest([{ name: 'index.html', data: 'other' }])), 'unsafe_path');
  });

  it('refuses a symbolic link entry', async () => {
    const error = await refused(inspectPackage(withManifest([{ name: 'passwd', data: '/etc/passwd', unixMode: 0o120777 }])), 'symlink');
    assert.match(error.message, /symbolic link/);
  });

  it('refuses a zip bomb by its compression ratio (20 MB of zeros in ~20 KB)', async () => {
    const zip = withManifest([{ name: 'zeros.bin', data: Buffer.alloc(20 * 1024 * 1024) }]);
    assert.ok(zip.length < 100 * 1024, `the bomb is small (${zip.length} bytes)`);
    const error = await refused(inspectPackage(zip), 'zip_bomb');
    assert.match(error.message, /zip bomb/);
  });

  it('allows a highly compressible file under the 1 MB ratio floor', async () => {
    await inspectPackage(withManifest([{ name: 'spaces.txt', data: Buffer.alloc(900 * 1024, 0x20) }]));
  });

  it('catches a header that lies about the inflated size while reading', async () => {
    const manifest = manifestXml();
    const zip = buildZip([
      { name: 'imsmanifest.xml', data: manifest, declaredSize: 40 },
      { name: 'index.html', data: PAGE },
    ]);
    await refused(inspectPackage(zip), 'zip_bomb');
  });

  it('refuses more files than the limit', async () => {
    const extra = Array.from({ length: 9 }, (_, i) => ({ name: `f${i}.txt`, data: 'x' }));
    const error = await refused(inspectPackage(withManifest(extra), { maxFiles: 10 }), 'too_many_files');
    assert.match(error.message, /11 files and folders; the limit is 10/);
    await inspectPackage(withManifest(extra.slice(1)), { maxFiles: 10 });
  });

  it('refuses a zip over the size limit and contents over the uncompressed limit', async () => {
    const zip = withManifest([{ name: 'data.bin', data: randomBytes(4096) }]);
    await refused(inspectPackage(zip, { maxZipBytes: 1000 }), 'too_large');
    await refused(inspectPackage(zip, { maxUncompressedBytes: 2000 }), 'too_large');
  });

  it('refuses a manifest over the manifest size limit', async () => {
    await refused(inspectPackage(withManifest([]), { maxManifestBytes: 100 }), 'bad_manifest');
  });

  const notZips: Array<[string, Buffer]> = [
    ['an empty file', Buffer.alloc(0)],
    ['a PNG', Buffer.concat([Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'), randomBytes(200)])],
    ['random bytes', randomBytes(4096)],
  ];
  for (const [label, bytes] of notZips) {
    it(`refuses ${label} as not a zip`, async () => {
      const error = await refused(inspectPackage(bytes), 'not_zip');
      assert.match(error.message, /not a readable zip archive/);
    });
  }

  it('refuses a truncated zip as not a zip', async () => {
    const zip = fixture('singlescobasic.zip');
    await refused(inspectPackage(zip.subarray(0, Math.floor(zip.length / 2))), 'not_zip');
  });

  it('refuses a zip whose manifest bytes are corrupted (checksum)', async () => {
    const zip = buildZip([{ name: 'imsmanifest.xml', data: manifestXml(), compress: false }, { name: 'index.html', data: PAGE }]);
    const at = zip.indexOf('<manifest');
    zip[at + 1] = 'M'.charCodeAt(0);
    await refused(inspectPackage(zip), 'not_zip');
  });
});

describe('inspectPackage: the manifest', () => {
  it('refuses a package without imsmanifest.xml', async () => {
    const error = await refused(inspectPackage(buildZip([{ name: 'index.html', data: PAGE }])), 'no_manifest');
    assert.equal(error.message, 'The package has no imsmanifest.xml at its top level. Export the exam as a SCORM package.');
  });

  it('says so when the manifest is inside a single top-level folder', async () => {
    const zip = buildZip([
      { name: 'My Exam/' },
      { name: 'My Exam/imsmanifest.xml', data: manifestXml() },
      { name: 'My Exam/index.html', data: PAGE },
      { name: '__MACOSX/My Exam/._index.html', data: 'x' },
      { name: '.DS_Store', data: 'x' },
    ]);
    const error = await refused(inspectPackage(zip), 'no_manifest');
    assert.match(error.message, /inside the folder "My Exam"/);
    assert.match(error.message, /Zip the contents of that folder/);
  });

  it('names a manifest in the wrong case (SCORM requires lower case)', async () => {
    const zip = buildZip([{ name: 'IMSManifest.xml', data: manifestXml() }, { name: 'index.html', data: PAGE }]);
    const error = await refused(inspectPackage(zip), 'no_manifest');
    assert.match(error.message, /"IMSManifest.xml"/);
  });

  it('refuses a billion-laughs manifest without expanding the entity', async () => {
    const laughs = [
      '<?xml version="1.0"?>',
      '<!DOCTYPE manifest [',
      '  <!ENTITY lol "lol">',
      ...Array.from({ length: 9 }, (_, i) => `  <!ENTITY lol${i + 1} "${`&lol${i === 0 ? '' : i};`.repeat(10)}">`),
      ']>',
    ].join('\n');
    const manifest = manifestXml({ title: '&lol9;' }).replace('<?xml version="1.0" encoding="UTF-8"?>', laughs);
    const started = performance.now();
    const error = await refused(inspectPackage(withManifest([], manifest)), 'bad_manifest');
    assert.ok(performance.now() - started < 2000, 'refused without expanding');
    assert.match(error.message, /<!DOCTYPE> or <!ENTITY>/);
    assert.ok(!error.message.includes('lollol'));
  });

  it('refuses an XXE manifest', async () => {
    const manifest = manifestXml({ title: '&xxe;' }).replace(
      '<?xml version="1.0" encoding="UTF-8"?>',
      '<?xml version="1.0"?><!DOCTYPE manifest [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>',
    );
    await refused(inspectPackage(withManifest([], manifest)), 'bad_manifest');
  });

  it('leaves an undeclared entity as text and decodes the predefined ones', async () => {
    const result = await inspectPackage(withManifest([], manifestXml({ title: 'Q&amp;A &#169; &lol;' })));
    assert.equal(result.title, 'Q&A © &lol;');
  });

  it('refuses malformed XML and a non-manifest root', async () => {
    const broken = await refused(inspectPackage(withManifest([], '<manifest><organizations></manifest>')), 'bad_manifest');
    assert.match(broken.message, /not well-formed XML/);
    const wrongRoot = await refused(inspectPackage(withManifest([], '<?xml version="1.0"?><course/>')), 'bad_manifest');
    assert.match(wrongRoot.message, /<manifest>/);
  });

  it('refuses an unsupported SCORM version', async () => {
    const manifest = manifestXml({ schemaVersion: '1.1' })
      .replace(/xmlns:adlcp="[^"]*"/, 'xmlns:adlcp="http://www.example.org/adlcp"');
    const error = await refused(inspectPackage(withManifest([], manifest)), 'unsupported_scorm');
    assert.match(error.message, /"1.1"/);
    assert.match(error.message, /SCORM 1.2 and SCORM 2004/);
  });

  it('detects the version from schemaversion or, failing that, the adlcp namespace', async () => {
    const cases: Array<[string, '1.2' | '2004']> = [
      [manifestXml({ schemaVersion: 'CAM 1.3' }), '2004'],
      [manifestXml({ schemaVersion: '2004 3rd Edition' }), '2004'],
      [manifestXml({ schemaVersion: null }), '2004'],
      [manifestXml({ version: '1.2', schemaVersion: null }), '1.2'],
      [manifestXml({ version: '1.2', schemaVersion: 'whatever' }), '1.2'],
    ];
    for (const [manifest, version] of cases) {
      assert.equal((await inspectPackage(withManifest([], manifest))).scormVersion, version);
    }
  });

  it('refuses a launch file that is not in the zip', async () => {
    const error = await refused(inspectPackage(withManifest([], manifestXml({ href: 'missing/start.html' }))), 'no_launch');
    assert.match(error.message, /"missing\/start.html"/);
  });

  it('refuses a launch href outside the package', async () => {
    await refused(inspectPackage(withManifest([], manifestXml({ href: 'https://example.org/x.html' }))), 'no_launch');
    await refused(inspectPackage(withManifest([], manifestXml({ href: '../index.html' }))), 'no_launch');
  });

  it('refuses a manifest whose items reference nothing launchable', async () => {
    const organizations = '<organizations><organization identifier="o"><title>T</title><item identifier="i"><title>I</title></item></organization></organizations>';
    await refused(inspectPackage(withManifest([], manifestXml({ organizations }))), 'no_launch');
  });

  it('resolves xml:base on the manifest, resources and resource', async () => {
    const manifest = manifestXml({ manifestAttrs: 'xml:base="a/"', resourcesAttrs: 'xml:base="b/"', resourceAttrs: 'xml:base="c"' });
    const zip = buildZip([{ name: 'imsmanifest.xml', data: manifest }, { name: 'a/b/c/index.html', data: PAGE }]);
    assert.equal((await inspectPackage(zip)).launchPath, 'a/b/c/index.html');
  });

  it('keeps the query string of the href, and appends the item parameters', async () => {
    const manifest = manifestXml({ href: 'index.html?mode=exam&amp;lang=en', itemAttrs: 'parameters="?extra=1"' });
    const result = await inspectPackage(withManifest([], manifest));
    assert.equal(result.launchPath, 'index.html');
    assert.equal(result.launchQuery, 'mode=exam&lang=en&extra=1');
  });

  it('percent-decodes the href into the entry name', async () => {
    const zip = buildZip([{ name: 'imsmanifest.xml', data: manifestXml({ href: 'my%20exam/index.html' }) }, { name: 'my exam/index.html', data: PAGE }]);
    assert.equal((await inspectPackage(zip)).launchPath, 'my exam/index.html');
  });

  it('launches the first SCO, depth first, over an earlier asset', async () => {
    const organizations = `<organizations default="second">
      <organization identifier="first"><title>Not this one</title><item identifier="x" identifierref="asset"><title>X</title></item></organization>
      <organization identifier="second"><title>Chosen</title>
        <item identifier="cover" identifierref="asset"><title>Cover</title></item>
        <item identifier="group"><title>Group</title><item identifier="exam" identifierref="res"><title>Exam</title></item></item>
      </organization></organizations>`;
    const manifest = manifestXml({ organizations }).replace(
      '</resources>',
      '<resource identifier="asset" type="webcontent" adlcp:scormType="asset" href="cover.html"/></resources>',
    );
    const result = await inspectPackage(withManifest([{ name: 'cover.html', data: PAGE }], manifest));
    assert.equal(result.launchPath, 'index.html');
    assert.equal(result.title, 'Chosen');
  });

  it('falls back to the first item with an href when no resource is a SCO', async () => {
    const manifest = manifestXml({ version: '1.2' }).replace('adlcp:scormtype="sco"', 'adlcp:scormtype="asset"');
    assert.equal((await inspectPackage(withManifest([], manifest))).launchPath, 'index.html');
  });

  it('reads scormtype in any case in SCORM 1.2', async () => {
    const organizations = `<organizations><organization identifier="o">
        <item identifier="a" identifierref="asset"><title>First item</title></item>
        <item identifier="b" identifierref="res"><title>Second</title></item></organization></organizations>`;
    const manifest = manifestXml({ version: '1.2', organizations })
      .replace('adlcp:scormtype="sco"', 'adlcp:SCORMTYPE="SCO"')
      .replace('</resources>', '<resource identifier="asset" type="webcontent" href="cover.html"/></resources>');
    const result = await inspectPackage(withManifest([{ name: 'cover.html', data: PAGE }], manifest));
    assert.equal(result.launchPath, 'index.html');
    assert.equal(result.title, 'First item', 'no organization title: the first item title');
  });
});
