import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { launchAs, newConsumer, uploadAs } from '../helpers/launch.js';
import { manifestXml } from '../helpers/scorm-manifests.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';
import { databaseKinds } from '../helpers/test-store.js';
import { buildZip } from '../helpers/zip-builder.js';

/** A valid manifest and launch page, plus whatever makes the package bad. */
function withManifest(extra: Parameters<typeof buildZip>[0]): Buffer {
  return buildZip([{ name: 'imsmanifest.xml', data: manifestXml() }, { name: 'index.html', data: '<!doctype html><title>x</title>' }, ...extra]);
}

const BAD: Array<{ name: string; zip: () => Buffer; message: RegExp }> = [
  { name: 'zip slip (../)', zip: () => withManifest([{ name: '../evil.txt', data: 'x' }]), message: /outside|escape|\.\./i },
  { name: 'zip slip (absolute path)', zip: () => withManifest([{ name: '/etc/evil', data: 'x' }]), message: /absolute|outside|escape/i },
  { name: 'a symlink', zip: () => withManifest([{ name: 'link', data: '/etc/passwd', unixMode: 0o120777 }]), message: /link/i },
  { name: 'a zip bomb', zip: () => withManifest([{ name: 'zeros.bin', data: Buffer.alloc(20 * 1024 * 1024) }]), message: /zip bomb/i },
  { name: 'a missing manifest', zip: () => buildZip([{ name: 'index.html', data: 'x' }]), message: /imsmanifest\.xml/ },
  { name: 'a file that is not a zip', zip: () => Buffer.from('\x89PNG\r\n\x1a\n this is an image, not a zip'), message: /zip/i },
  { name: 'an empty file', zip: () => Buffer.alloc(0), message: /Choose a SCORM package|zip/i },
];

for (const kind of databaseKinds()) {
  describe(`package uploads on ${kind}`, () => {
    let t: TestApp;
    let instructor: string;
    before(async () => {
      t = await createTestApp(kind, { PACKAGE_MAX_MB: '1' });
      instructor = await launchAs(t, await newConsumer(t), { userId: 'teacher', role: 'Instructor' });
    });
    after(async () => t.close());

    async function stored(): Promise<number[]> {
      const counts = [];
      for (const table of ['resources', 'package_blobs', 'package_versions'] as const) {
        const row = await t.store.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
        counts.push(Number(row.n));
      }
      return counts;
    }

    for (const bad of BAD) {
      it(`refuses ${bad.name} with a clear message and stores nothing`, async () => {
        const before = await stored();
        const res = await uploadAs(t, instructor, bad.zip());
        assert.equal(res.statusCode, 400, res.body);
        assert.match((res.json() as { error: { message: string } }).error.message, bad.message);
        assert.deepEqual(await stored(), before);
      });
    }

    it('refuses a package over PACKAGE_MAX_MB with the limit in the message', async () => {
      const before = await stored();
      const big = withManifest([{ name: 'big.bin', data: Buffer.from(Array.from({ length: 1_200_000 }, (_, i) => (i * 7919) % 251)), compress: false }]);
      const res = await uploadAs(t, instructor, big);
      assert.equal(res.statusCode, 400);
      assert.match((res.json() as { error: { message: string } }).error.message, /1 MB limit/);
      assert.deepEqual(await stored(), before);
    });
  });
}
