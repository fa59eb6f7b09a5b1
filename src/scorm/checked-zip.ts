import { crc32 } from 'node:zlib';
import type { Readable } from 'node:stream';
import yauzl from 'yauzl';
import { PackageError } from './package-error.js';
import { formatBytes, type PackageLimits } from './package-limits.js';
import { checkEntryName, isSymlinkAttributes, quoteName } from './zip-entry-name.js';

export interface CheckedEntry {
  path: string;
  isDirectory: boolean;
  /** Inflated size as the central directory declares it; reading enforces it. */
  size: number;
  compressedSize: number;
  readonly raw: yauzl.Entry;
}

/**
 * A zip whose every entry has passed the name, type and declared-size checks. Contents
 * are only reachable through `chunks`/`readFile`, which count real inflated bytes, so a
 * header that lies about sizes is caught while reading rather than trusted.
 */
export interface CheckedZip {
  /** Every entry in zip order, directories included. */
  readonly entries: readonly CheckedEntry[];
  /** Regular files by normalised path. */
  readonly files: ReadonlyMap<string, CheckedEntry>;
  /** Sum of the declared inflated sizes. */
  readonly declaredBytes: number;
  chunks(entry: CheckedEntry): AsyncGenerator<Buffer>;
  readFile(entry: CheckedEntry): Promise<Buffer>;
  close(): void;
}

const damaged = (detail: string, cause?: unknown): PackageError =>
  new PackageError('not_zip', `The file is not a readable zip archive: ${detail}. Export the exam again as a SCORM package (.zip).`, {
    cause,
  });

function openZip(zip: Buffer): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(
      zip,
      // decodeStrings off: yauzl's own name validation would reject zip slip with a bare
      // Error; we decode and check names ourselves to give a typed, readable refusal.
      { lazyEntries: true, validateEntrySizes: true, strictFileNames: false, decodeStrings: false, autoClose: false },
      (error, zipfile) => (error ? reject(damaged('it is damaged, truncated or not a zip at all', error)) : resolve(zipfile)),
    );
  });
}

function nextEntry(zipfile: yauzl.ZipFile): Promise<yauzl.Entry | null> {
  return new Promise((resolve, reject) => {
    const cleanup = (): void => {
      zipfile.removeListener('entry', onEntry);
      zipfile.removeListener('end', onEnd);
      zipfile.removeListener('error', onError);
    };
    const onEntry = (entry: yauzl.Entry): void => {
      cleanup();
      resolve(entry);
    };
    const onEnd = (): void => {
      cleanup();
      resolve(null);
    };
    const onError = (error: Error): void => {
      cleanup();
      reject(damaged('its list of files is damaged', error));
    };
    zipfile.on('entry', onEntry).on('end', onEnd).on('error', onError);
    zipfile.readEntry();
  });
}

function openStream(zipfile: yauzl.ZipFile, entry: yauzl.Entry): Promise<Readable> {
  return new Promise((resolve, reject) => {
    zipfile.openReadStream(entry, (error, stream) => (error ? reject(damaged('a file in it cannot be opened', error)) : resolve(stream)));
  });
}

function checkEntry(entry: yauzl.Entry, limits: PackageLimits): CheckedEntry {
  const rawName = yauzl.getFileNameLowLevel(entry.generalPurposeBitFlag, entry.fileNameRaw, entry.extraFields, false);
  const { path, isDirectory } = checkEntryName(rawName, limits.maxPathLength);
  if (isSymlinkAttributes(entry.externalFileAttributes)) {
    throw new PackageError(
      'symlink',
      `The package contains ${quoteName(rawName)}, which is a symbolic link. Links could point at files outside the package, so packages with links are refused.`,
    );
  }
  const checked: CheckedEntry = { path, isDirectory, size: entry.uncompressedSize, compressedSize: entry.compressedSize, raw: entry };
  if (isDirectory) return checked;
  if (entry.isEncrypted()) {
    throw damaged(`${quoteName(rawName)} is password-protected; export the package without a password`);
  }
  if (!entry.canDecodeFileData()) {
    throw damaged(`${quoteName(rawName)} uses a compression method we cannot read (only "stored" and "deflate" are supported)`);
  }
  const ratio = entry.uncompressedSize / Math.max(entry.compressedSize, 1);
  if (entry.uncompressedSize > limits.compressionRatioFloorBytes && ratio > limits.maxCompressionRatio) {
    throw zipBomb(`${quoteName(rawName)} would inflate ${Math.round(ratio)} times (the limit is ${limits.maxCompressionRatio})`);
  }
  return checked;
}

const zipBomb = (detail: string): PackageError =>
  new PackageError('zip_bomb', `The package looks like a zip bomb: ${detail}. Nothing was unpacked.`);

export async function openCheckedZip(zip: Buffer, limits: PackageLimits): Promise<CheckedZip> {
  if (zip.length > limits.maxZipBytes) {
    throw new PackageError('too_large', `The package is ${formatBytes(zip.length)}; the limit is ${formatBytes(limits.maxZipBytes)}.`);
  }
  // 22 bytes is the smallest possible zip (an empty archive's end record).
  if (zip.length < 22) throw damaged(zip.length === 0 ? 'the file is empty' : 'the file is too short to be a zip');

  const zipfile = await openZip(zip);
  try {
    return await walk(zipfile, limits);
  } catch (error) {
    zipfile.close();
    throw error;
  }
}

async function walk(zipfile: yauzl.ZipFile, limits: PackageLimits): Promise<CheckedZip> {
  const tooMany = (count: number): PackageError =>
    new PackageError('too_many_files', `The package holds ${count} files and folders; the limit is ${limits.maxFiles}.`);
  if (zipfile.entryCount > limits.maxFiles) throw tooMany(zipfile.entryCount);

  const entries: CheckedEntry[] = [];
  const files = new Map<string, CheckedEntry>();
  const seen = new Set<string>();
  let declaredBytes = 0;
  for (let raw = await nextEntry(zipfile); raw !== null; raw = await nextEntry(zipfile)) {
    const entry = checkEntry(raw, limits);
    if (entries.length + 1 > limits.maxFiles) throw tooMany(entries.length + 1);
    if (entry.path === '') continue;
    // Two entries with one name would let what we inspect differ from what we serve.
    if (seen.has(entry.path)) {
      throw new PackageError('unsafe_path', `The package contains ${quoteName(entry.path)} twice. Export it again.`);
    }
    seen.add(entry.path);
    entries.push(entry);
    if (entry.isDirectory) continue;
    files.set(entry.path, entry);
    declaredBytes += entry.size;
    if (declaredBytes > limits.maxUncompressedBytes) {
      throw new PackageError(
        'too_large',
        `The package would unpack to more than ${formatBytes(limits.maxUncompressedBytes)}, which is the limit.`,
      );
    }
  }

  let inflatedTotal = 0;
  async function* chunks(entry: CheckedEntry): AsyncGenerator<Buffer> {
    const stream = await openStream(zipfile, entry.raw);
    let bytes = 0;
    let crc = 0;
    try {
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        bytes += chunk.length;
        inflatedTotal += chunk.length;
        // yauzl's validateEntrySizes stops this first; counting here as well means a
        // change of library or option cannot silently reopen the hole.
        if (bytes > entry.size) throw zipBomb(`${quoteName(entry.path)} inflates to more than the ${entry.size} bytes it declares`);
        if (inflatedTotal > limits.maxUncompressedBytes) {
          throw zipBomb(`its files inflate to more than ${formatBytes(limits.maxUncompressedBytes)}`);
        }
        crc = crc32(chunk, crc);
        yield chunk;
      }
    } catch (error) {
      if (error instanceof PackageError) throw error;
      if (error instanceof Error && /too many bytes/.test(error.message)) {
        throw zipBomb(`${quoteName(entry.path)} inflates to more than the ${entry.size} bytes it declares`);
      }
      throw damaged(`${quoteName(entry.path)} is damaged`, error);
    } finally {
      // Also reached when the consumer stops early; an undrained inflater would linger.
      stream.destroy();
    }
    if (bytes !== entry.size) throw damaged(`${quoteName(entry.path)} is shorter than it declares`);
    if (crc !== entry.raw.crc32) throw damaged(`${quoteName(entry.path)} fails its checksum`);
  }

  async function readFile(entry: CheckedEntry): Promise<Buffer> {
    const parts: Buffer[] = [];
    for await (const chunk of chunks(entry)) parts.push(chunk);
    return Buffer.concat(parts);
  }

  return { entries, files, declaredBytes, chunks, readFile, close: () => zipfile.close() };
}
