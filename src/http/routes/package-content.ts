import { createReadStream } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { resolvePackageFile } from '../../commands/package-file.js';
import { readContentGrant } from '../../domain/content-grant.js';
import { AppError } from '../../lib/errors.js';
import { contentTypeFor } from '../content-types.js';

/**
 * Exam content needs more than our own pages: inline scripts and eval (Numbas compiles its
 * marking scripts), and a few outside hosts such as the CDN Numbas loads MathJax from.
 * It is served with this policy, on our origin so the SCO can reach the player's SCORM API.
 */
function contentSecurityPolicy(hosts: readonly string[]): string {
  const extra = hosts.join(' ');
  const src = (more = ''): string => `'self' ${more} ${extra}`.replace(/\s+/g, ' ').trim();
  return [
    `default-src ${src()}`,
    `script-src ${src("'unsafe-inline' 'unsafe-eval' blob:")}`,
    `style-src ${src("'unsafe-inline'")}`,
    `img-src ${src('data: blob:')}`,
    `font-src ${src('data:')}`,
    `media-src ${src('data: blob:')}`,
    `connect-src ${src()}`,
    "frame-src 'self'",
    // frame-ancestors is checked against every ancestor, and the LMS page framing the player is
    // one: 'self' would block the exam inside any LMS. The grant in the URL is what protects it.
    'frame-ancestors *',
    "base-uri 'self'",
    "form-action 'self'",
  ].join('; ');
}

export async function packageContentRoutes(app: FastifyInstance): Promise<void> {
  const { services } = app;
  const policy = contentSecurityPolicy(services.config.contentHosts);

  app.get<{ Params: { grant: string; '*': string } }>('/content/:grant/*', async (request, reply) => {
    const grant = readContentGrant(services.grantKey, request.params.grant, services.now());
    if (!grant) throw new AppError('unauthenticated', 'This link to the exam content has expired. Reopen the exam from your course.');
    const file = await resolvePackageFile(services.store.db, services.packageCacheDir, grant, decodeURIComponent(request.params['*']));
    return reply
      .header('Content-Type', contentTypeFor(file))
      .header('Content-Security-Policy', policy)
      // The grant is in the URL and the package behind a hash never changes.
      .header('Cache-Control', 'private, max-age=3600')
      .header('Referrer-Policy', 'same-origin')
      .send(createReadStream(file));
  });
}
