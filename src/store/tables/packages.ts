import type { Generated, Selectable } from 'kysely';

/**
 * Package zips by content hash, in the database so that every node can reach every package;
 * nodes extract them into a local cache named by the same hash.
 */
export interface PackageBlobsTable {
  sha256: string;
  size: number;
  data: Uint8Array;
  created_at: number;
}

/** One uploaded version of a resource's package. Immutable once written. */
export interface PackageVersionsTable {
  id: Generated<number>;
  resource_id: number;
  sha256: string;
  scorm_version: '1.2' | '2004';
  schema_version: string | null;
  title: string | null;
  launch_path: string;
  launch_query: string | null;
  numbas_version: string | null;
  file_count: number;
  uncompressed_bytes: number;
  uploaded_by_user_id: number | null;
  created_at: number;
}

export type PackageVersionRow = Selectable<PackageVersionsTable>;
