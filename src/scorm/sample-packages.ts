import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import yazl from 'yazl';
import { packageRoot } from '../package-root.js';

export type SamplePackage = '2004' | '1.2';

/**
 * Our sample exam is one page and one script for both SCORM versions (the page's
 * data-scorm attribute tells the script which API to find); only the manifest differs.
 * The files live in content/sample-exam/ and are assembled here.
 */
const MANIFESTS: Record<SamplePackage, string> = {
  '2004': 'imsmanifest-2004.xml',
  '1.2': 'imsmanifest-12.xml',
};

// A fixed date and sorted names make the zip byte-for-byte reproducible, so its SHA-256
// (our cache key) only changes when the exam's files do.
const FIXED_MTIME = new Date('2024-01-01T00:00:00Z');

/** The folder in the source tree that holds the sample exam's sources. */
export function sampleSourceDir(): string {
  return join(packageRoot(), 'content', 'sample-exam');
}

/** The files of one version of the sample exam, by their path inside the package. */
export async function samplePackageFiles(which: SamplePackage): Promise<Map<string, Buffer>> {
  const dir = sampleSourceDir();
  const page = (await readFile(join(dir, 'index.html'), 'utf8')).replaceAll('{{scorm}}', which);
  return new Map([
    ['exam.css', await readFile(join(dir, 'exam.css'))],
    ['exam.js', await readFile(join(dir, 'exam.js'))],
    ['imsmanifest.xml', await readFile(join(dir, MANIFESTS[which]))],
    ['index.html', Buffer.from(page, 'utf8')],
  ]);
}

/** Zips one version of the sample exam into an uploadable SCORM package. */
export async function buildSamplePackage(which: SamplePackage): Promise<Buffer> {
  const files = await samplePackageFiles(which);
  const zip = new yazl.ZipFile();
  for (const path of [...files.keys()].sort()) {
    zip.addBuffer(files.get(path) as Buffer, path, { mtime: FIXED_MTIME, mode: 0o100644, compress: true });
  }
  const done = new Promise<Buffer>((resolve, reject) => {
    const parts: Buffer[] = [];
    zip.outputStream.on('data', (chunk: Buffer) => parts.push(chunk));
    zip.outputStream.on('error', reject);
    zip.outputStream.on('end', () => resolve(Buffer.concat(parts)));
  });
  zip.end();
  return done;
}
