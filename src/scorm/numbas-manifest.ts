/** What a Numbas export says about itself in its numbas-manifest.json. */
export interface NumbasInfo {
  version: string | null;
  name: string | null;
}

/*
 * Numbas (numbas-compiler's add_manifest) writes, at the top level:
 *   Numbas_version, source_url, edit_url, locale,
 *   features: { run_headless, scorm, has_index_html }
 * It has no name field today; `name`/`title` are read in case a later version adds one.
 * Key case has varied, so keys are matched ignoring case.
 */
const VERSION_KEYS = ['numbas_version', 'version'];
const NAME_KEYS = ['name', 'title'];

function pick(record: Record<string, unknown>, keys: readonly string[]): string | null {
  for (const wanted of keys) {
    for (const [key, value] of Object.entries(record)) {
      if (key.toLowerCase() !== wanted) continue;
      if (typeof value === 'string' && value.trim() !== '') return value.trim();
      if (typeof value === 'number' && Number.isFinite(value)) return String(value);
    }
  }
  return null;
}

/**
 * Reads numbas-manifest.json. Its presence alone marks a Numbas package (which decides
 * whether source.exam must be hidden), so unreadable contents give nulls, never an error.
 */
export function parseNumbasManifest(bytes: Buffer | null): NumbasInfo {
  if (bytes === null) return { version: null, name: null };
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder('utf-8').decode(bytes).replace(/^\uFEFF/, ''));
  } catch {
    return { version: null, name: null };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return { version: null, name: null };
  const record = parsed as Record<string, unknown>;
  return { version: pick(record, VERSION_KEYS), name: pick(record, NAME_KEYS) };
}
