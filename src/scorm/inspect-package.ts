import { createHash } from 'node:crypto';
import { type CheckedZip, openCheckedZip } from './checked-zip.js';
import { decodeXmlBytes } from './manifest-xml.js';
import { type NumbasInfo, parseNumbasManifest } from './numbas-manifest.js';
import { PackageError } from './package-error.js';
import { formatBytes, type PackageLimits, resolvePackageLimits } from './package-limits.js';
import { type ScormVersion, readScormManifest } from './scorm-manifest.js';

export interface PackageFile {
  path: string;
  size: number;
}

export interface InspectedPackage {
  scormVersion: ScormVersion;
  schemaVersion: string | null;
  title: string | null;
  /** Zip entry path of the page to launch, percent-decoded. */
  launchPath: string;
  /** Query string to append when launching, without `?`, or null. */
  launchQuery: string | null;
  numbas: NumbasInfo | null;
  /** Regular files (no directories), in zip order, with their declared sizes. */
  files: PackageFile[];
  uncompressedBytes: number;
  /** Hex SHA-256 of the zip as uploaded: the cache key for the extracted copy. */
  sha256: string;
}

const MANIFEST = 'imsmanifest.xml';
const NUMBAS_MANIFEST = 'numbas-manifest.json';

/**
 * Checks an uploaded SCORM package without unpacking it to disk and says what it is and
 * how to launch it. Throws PackageError, whose message can be shown to the uploader.
 *
 * Only the manifests are inflated here; extractPackage counts every file's real bytes.
 */
export async function inspectPackage(zip: Buffer, limits?: Partial<PackageLimits>): Promise<InspectedPackage> {
  const resolved = resolvePackageLimits(limits);
  const checked = await openCheckedZip(zip, resolved);
  try {
    return await describe(zip, checked, resolved);
  } finally {
    checked.close();
  }
}

async function describe(zip: Buffer, checked: CheckedZip, limits: PackageLimits): Promise<InspectedPackage> {
  const manifestEntry = checked.files.get(MANIFEST);
  if (manifestEntry === undefined) throw missingManifest(checked);
  if (manifestEntry.size > limits.maxManifestBytes) {
    throw new PackageError(
      'bad_manifest',
      `The imsmanifest.xml is ${formatBytes(manifestEntry.size)}; the limit is ${formatBytes(limits.maxManifestBytes)}.`,
    );
  }
  const manifest = readScormManifest(decodeXmlBytes(await checked.readFile(manifestEntry)));

  if (!checked.files.has(manifest.launch.path)) {
    throw new PackageError(
      'no_launch',
      `The manifest says to launch "${manifest.launch.path}", but the package has no such file. Export the package again, or fix the href in imsmanifest.xml.`,
    );
  }

  const numbasEntry = checked.files.get(NUMBAS_MANIFEST);
  let numbas: NumbasInfo | null = null;
  if (numbasEntry !== undefined) {
    const readable = numbasEntry.size <= limits.maxManifestBytes;
    numbas = parseNumbasManifest(readable ? await checked.readFile(numbasEntry) : null);
  }

  const files = [...checked.files.values()].map((entry) => ({ path: entry.path, size: entry.size }));
  return {
    scormVersion: manifest.scormVersion,
    schemaVersion: manifest.schemaVersion,
    title: manifest.title,
    launchPath: manifest.launch.path,
    launchQuery: manifest.launch.query,
    numbas,
    files,
    uncompressedBytes: checked.declaredBytes,
    sha256: createHash('sha256').update(zip).digest('hex'),
  };
}

/** The commonest upload mistake is zipping the export's folder rather than its contents; say so. */
function missingManifest(checked: CheckedZip): PackageError {
  const paths = [...checked.files.keys()];
  const wrongCase = paths.find((path) => !path.includes('/') && path.toLowerCase() === MANIFEST);
  if (wrongCase !== undefined) {
    return new PackageError(
      'no_manifest',
      `The package has "${wrongCase}" but SCORM requires the name "imsmanifest.xml" in lower case. Rename it and zip the package again.`,
    );
  }
  // Archivers on macOS add __MACOSX/ and .DS_Store beside the folder; they don't count.
  const topLevel = new Set(
    checked.entries.map((entry) => entry.path.split('/')[0] ?? '').filter((name) => name !== '__MACOSX' && !name.startsWith('.')),
  );
  const [onlyFolder] = topLevel;
  if (topLevel.size === 1 && onlyFolder !== undefined && checked.files.has(`${onlyFolder}/${MANIFEST}`)) {
    return new PackageError(
      'no_manifest',
      `The package's imsmanifest.xml is inside the folder "${onlyFolder}" instead of at the top level. Zip the contents of that folder, not the folder itself.`,
    );
  }
  return new PackageError(
    'no_manifest',
    'The package has no imsmanifest.xml at its top level. Export the exam as a SCORM package.',
  );
}
