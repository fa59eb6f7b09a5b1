import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type FieldProblem, isAppError } from '../../lib/errors.js';
import { httpStatusFor, titleFor } from '../error-map.js';
import { errorPage } from '../views/error-page.js';

/**
 * JSON for the API and websockets; an HTML page for everything a person navigates to,
 * including a form the browser submits to the API itself (the deep linking answer is one):
 * the browser then shows the answer as the page, so it must be a page, not raw JSON.
 */
function wantsJson(request: FastifyRequest): boolean {
  if (request.url === '/healthz') return true;
  if (!request.url.startsWith('/api/')) return false;
  return request.headers['sec-fetch-mode'] !== 'navigate';
}

function send(
  request: FastifyRequest,
  reply: FastifyReply,
  status: number,
  code: string,
  message: string,
  reference?: string,
  problems?: FieldProblem[],
): FastifyReply {
  reply.status(status);
  if (wantsJson(request)) return reply.send({ error: { code, message, ...(reference ? { reference } : {}), ...(problems ? { problems } : {}) } });
  const instanceName = request.server.services.config.instanceName;
  const title = status >= 500 ? 'Something went wrong' : titleFor(code as Parameters<typeof titleFor>[0]);
  return reply.type('text/html; charset=utf-8').send(errorPage({ title, message, code, reference, instanceName }));
}

/**
 * Users never meet a stack trace: typed errors show their public message, validation
 * errors say which field is wrong, and anything unexpected is logged and shown with the
 * request id to quote to support.
 */
export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (isAppError(error)) {
      const status = httpStatusFor(error.code);
      request.log.info({ code: error.code, status }, error.publicMessage);
      return send(request, reply, status, error.code, error.publicMessage, undefined, error.problems);
    }
    if (error.validation) {
      return send(request, reply, 400, 'bad_request', `Invalid request: ${error.message}.`);
    }
    if (typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500) {
      return send(request, reply, error.statusCode, 'bad_request', error.message);
    }
    request.log.error({ err: error }, 'unhandled error');
    return send(request, reply, 500, 'internal', 'The server could not complete this request. Please try again; if it keeps happening, contact support with the reference below.', request.id);
  });
  app.setNotFoundHandler((request, reply) => send(request, reply, 404, 'not_found', `There is nothing at ${request.url.split('?')[0]}.`));
}
