/**
 * Serves the built browser app (`npm run build` puts it in dist/web) under /app/.
 *
 *   GET /app            303 to /app/ (query kept)
 *   GET /app/           index.html, never cached, with the page's security headers;
 *                       503 with a plain message when the app has not been built
 *   GET /app/assets/*   Vite's content-hashed files, cached for a year as immutable
 *   GET /app/<other>    other files of the build, revalidated on each use
 *
 * The app is framed by LMSs, so its CSP allows any frame ancestor. Registered as an
 * encapsulated plugin: its hooks and the static server stay inside it.
 */
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';

export interface AppShellOptions {
  /** The directory of the built app (dist/web). */
  webDir: string;
}

export const APP_CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  'frame-ancestors *',
  "base-uri 'none'",
  "form-action 'self'",
].join('; ');

const NOT_BUILT_MESSAGE = 'The web app is not built: run npm run build.';
const IMMUTABLE = 'public, max-age=31536000, immutable';

function setHtmlHeaders(reply: FastifyReply): void {
  reply.header('cache-control', 'no-store');
  reply.header('content-security-policy', APP_CONTENT_SECURITY_POLICY);
  reply.header('referrer-policy', 'no-referrer');
  reply.header('x-content-type-options', 'nosniff');
}

function isMissingFile(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

export async function appShellRoutes(app: FastifyInstance, options: AppShellOptions): Promise<void> {
  const webDir = resolve(options.webDir);
  const indexPath = join(webDir, 'index.html');

  app.get('/app', async (request, reply) => {
    const query = request.url.indexOf('?');
    return reply.redirect(query === -1 ? '/app/' : `/app/${request.url.slice(query)}`, 303);
  });

  // Read on each request: the file is small, and a rebuild is picked up without a restart.
  app.get('/app/', async (_request, reply) => {
    let html: Buffer;
    try {
      html = await readFile(indexPath);
    } catch (error) {
      if (!isMissingFile(error)) throw error;
      return reply
        .code(503)
        .header('cache-control', 'no-store')
        .header('x-content-type-options', 'nosniff')
        .type('text/plain; charset=utf-8')
        .send(NOT_BUILT_MESSAGE);
    }
    setHtmlHeaders(reply);
    return reply.type('text/html; charset=utf-8').send(html);
  });

  await app.register(fastifyStatic, {
    root: webDir,
    prefix: '/app/',
    // The reply decorators may be registered elsewhere in the app; this plugin needs none.
    decorateReply: false,
    // index.html is served by the route above, never as a directory index.
    index: false,
    redirect: false,
    dotfiles: 'ignore',
    serveDotFiles: false,
    // Missing until `npm run build`: then files answer 404 and /app/ answers 503.
    suppressWarning: true,
    cacheControl: false,
    setHeaders(reply, path) {
      const relative = path.slice(webDir.length).replaceAll('\\', '/');
      if (relative.endsWith('.html')) {
        setHtmlHeaders(reply);
        return;
      }
      reply.header('x-content-type-options', 'nosniff');
      reply.header('cache-control', relative.startsWith('/assets/') ? IMMUTABLE : 'no-cache');
    },
  });
}
