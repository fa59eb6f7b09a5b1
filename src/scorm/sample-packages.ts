import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import yazl from 'yazl';
import { packageRoot } from '../package-root.js';

export type SamplePackage = '2004' | '1.2';

const FOLDERS: Record<SamplePackage, string> = {
  '2004': 'sample-exam-2004',
  '1.2': 'sample-exam-12',
};

// A fixed date and sorted names make the zip byte-for-byte reproducible, so its SHA-256
// (our cache key) only changes when the exam's files do.
const FIXED_MTIME = new Date('2024-01-01T00:00:00Z');

/** The folder in the source tree that holds a sample exam's files. */
export function samplePackageDir(which: SamplePackage): string {
  return join(packageRoot(), 'content', FOLDERS[which]);
}

async function listFiles(dir: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(join(dir, prefix), { withFileTypes: true })) {
    if (entry.name.startsWith('.')) continue;
    const path = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
    if (entry.isDirectory()) out.push(...(await listFiles(dir, path)));
    else if (entry.isFile()) out.push(path);
  }
  return out;
}

/** Zips one of our sample exams (content/sample-exam-*) into an uploadable SCORM package. */
export async function buildSamplePackage(which: SamplePackage): Promise<Buffer> {
  const dir = samplePackageDir(which);
  const paths = (await listFiles(dir)).sort();
  const zip = new yazl.ZipFile();
  for (const path of paths) {
    zip.addBuffer(await readFile(join(dir, path)), path, { mtime: FIXED_MTIME, mode: 0o100644, compress: true });
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
