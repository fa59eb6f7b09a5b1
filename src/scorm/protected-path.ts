/**
 * Files inside a package that must never be served to a learner. A Numbas export ships
 * its editor source as source.exam, which contains every answer and marking script.
 * Matched by base name in any folder and any case, so neither a different layout nor a
 * case-insensitive file system can expose it.
 */
export function isProtectedPath(path: string, numbas: boolean): boolean {
  if (!numbas) return false;
  let decoded = path;
  if (decoded.includes('%')) {
    try {
      decoded = decodeURIComponent(decoded);
    } catch {
      // Undecodable: judge the raw text, which is what a file server would fail on too.
    }
  }
  const base = decoded.split(/[\\/]/).filter((segment) => segment !== '').pop() ?? '';
  return base.toLowerCase() === 'source.exam';
}
