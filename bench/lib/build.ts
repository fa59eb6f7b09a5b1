import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export const CLI_ENTRY = 'dist/cli/main.js';

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    const mtime = entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs;
    if (mtime > newest) newest = mtime;
  }
  return newest;
}

/**
 * The benchmark measures the built server, as `npm start` runs it, never tsx: build when
 * dist is missing or older than any source file, so a stale build is never measured.
 */
export function ensureBuilt(root: string, log: (line: string) => void): void {
  const entry = join(root, CLI_ENTRY);
  const sources = Math.max(newestMtime(join(root, 'src')), newestMtime(join(root, 'web')));
  if (existsSync(entry) && statSync(entry).mtimeMs >= sources) return;
  log('Building (npm run build): dist is missing or older than src/ or web/');
  const result = spawnSync('npm', ['run', 'build'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`npm run build failed:\n${result.stdout}${result.stderr}`);
}
