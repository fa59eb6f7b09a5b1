import type { FastifyRequest } from 'fastify';
import type { Config } from '../config.js';

/**
 * The origin the outside world used to reach us: PUBLIC_URL when set; otherwise the
 * request's own scheme and host, which Fastify takes from X-Forwarded-Proto/Host only
 * when TRUST_PROXY is on. OAuth signatures cover this URL, so it must be what the LMS saw.
 */
export function publicOrigin(request: FastifyRequest, config: Config): string {
  if (config.publicUrl) return config.publicUrl.origin;
  return `${request.protocol}://${request.host}`;
}

/** The absolute URL of this request without its query string. */
export function publicRequestUrl(request: FastifyRequest, config: Config): string {
  const path = request.url.split('?')[0] ?? '/';
  return publicOrigin(request, config) + path;
}
