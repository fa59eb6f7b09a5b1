/**
 * Vite build of the browser app in web/ (Preact, no framework plugin). Built into dist/web and
 * served by the server under /app/ (src/http/routes/app-shell.ts).
 *
 *   npx vite build --config web/vite.config.ts
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const webRoot = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root: webRoot,
  base: '/app/',
  publicDir: false,
  // Preact's automatic JSX runtime (preact/jsx-runtime), without @preact/preset-vite.
  oxc: {
    jsx: { runtime: 'automatic', importSource: 'preact' },
  },
  build: {
    outDir: fileURLToPath(new URL('../dist/web', import.meta.url)),
    emptyOutDir: true,
    // The page is served with `script-src 'self'`: no inline script, so no inlined polyfill.
    modulePreload: { polyfill: false },
    // Never inline assets as data: URLs into scripts or styles; keep files under /app/assets/.
    assetsInlineLimit: 0,
    sourcemap: false,
    target: 'es2022',
  },
});
