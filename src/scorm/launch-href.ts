/** Where a manifest's launch href points inside the package. */
export interface LaunchTarget {
  /** Zip entry path, percent-decoded (`my exam/index.html`). */
  path: string;
  /** Query string without the `?`, still URL-encoded, or null. */
  query: string | null;
}

const SCHEME = /^[a-zA-Z][a-zA-Z0-9+.-]*:/;

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    // A stray `%` in a hand-written href; the file is most likely named literally.
    return segment;
  }
}

/**
 * Resolves a resource href against the `xml:base` values above it (outermost first) and
 * appends the item's `parameters`, following the SCORM CAM launch-URL rules. Returns null
 * when the result is not a file inside the package (an absolute URL, a server-absolute
 * path, or `..` climbing above the package root).
 */
export function resolveLaunchHref(bases: readonly string[], href: string, parameters?: string): LaunchTarget | null {
  const match = /^([^?#]*)(?:\?([^#]*))?/.exec(href.trim());
  const hrefPath = match?.[1] ?? '';
  const hrefQuery = match?.[2] ?? '';

  const parts: string[] = [];
  for (const base of bases) {
    const trimmed = base.trim();
    if (trimmed === '') continue;
    if (SCHEME.test(trimmed) || trimmed.startsWith('/')) return null;
    // RFC 3986 would drop a base's last segment without a trailing slash, but packaging
    // tools write `xml:base="content"` meaning the folder, and LMSs concatenate; so do we.
    parts.push(trimmed.endsWith('/') ? trimmed : `${trimmed}/`);
  }
  if (hrefPath === '' || SCHEME.test(hrefPath) || hrefPath.startsWith('/')) return null;
  parts.push(hrefPath);

  const segments: string[] = [];
  for (const segment of parts.join('').replace(/\\/g, '/').split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') {
      if (segments.pop() === undefined) return null;
      continue;
    }
    segments.push(decodeSegment(segment));
  }
  if (segments.length === 0) return null;

  const query = [hrefQuery, normaliseParameters(parameters)].filter((part) => part !== '').join('&');
  return { path: segments.join('/'), query: query === '' ? null : query };
}

/** `?a=1`, `&a=1` and `a=1` all mean the same; a `#fragment` is not a query and is dropped. */
function normaliseParameters(parameters: string | undefined): string {
  const text = (parameters ?? '').trim();
  if (text === '' || text.startsWith('#')) return '';
  return text.replace(/^[?&]+/, '').replace(/#.*$/, '');
}
