/** Bounds on what an uploaded package may cost us to inspect or unpack. */
export interface PackageLimits {
  /** Size of the zip file itself. */
  maxZipBytes: number;
  /** Entries in the zip, directories included: each one costs a file-system operation. */
  maxFiles: number;
  /** Sum of all entries once inflated. */
  maxUncompressedBytes: number;
  /** Inflated/compressed ratio allowed for one entry, checked only on entries above `compressionRatioFloorBytes`. */
  maxCompressionRatio: number;
  /** Small entries legitimately compress very well (a page of spaces), so the ratio rule skips them. */
  compressionRatioFloorBytes: number;
  /** imsmanifest.xml (and numbas-manifest.json) are read into memory whole. */
  maxManifestBytes: number;
  /** Characters in one entry name. */
  maxPathLength: number;
}

const MB = 1024 * 1024;

export const DEFAULT_PACKAGE_LIMITS: Readonly<PackageLimits> = Object.freeze({
  maxZipBytes: 50 * MB,
  maxFiles: 5_000,
  maxUncompressedBytes: 500 * MB,
  maxCompressionRatio: 200,
  compressionRatioFloorBytes: 1 * MB,
  maxManifestBytes: 5 * MB,
  maxPathLength: 1_000,
});

export function resolvePackageLimits(overrides?: Partial<PackageLimits>): PackageLimits {
  const limits: PackageLimits = { ...DEFAULT_PACKAGE_LIMITS };
  for (const [key, value] of Object.entries(overrides ?? {}) as Array<[keyof PackageLimits, number | undefined]>) {
    // A caller spreading a config object may pass undefined for "use the default".
    if (value !== undefined) limits[key] = value;
  }
  return limits;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < MB) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / MB).toFixed(1)} MB`;
}
