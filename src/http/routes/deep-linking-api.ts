import multipart from '@fastify/multipart';
import type { FastifyInstance } from 'fastify';
import { createDeepLinkResource } from '../../commands/create-deep-link-resource.js';
import { deepLinkingResponseFor } from '../../commands/deep-linking-response.js';
import { listContextResources } from '../../commands/list-context-resources.js';
import { AppError } from '../../lib/errors.js';
import { requireLtiSession } from '../auth/lti-session.js';
import { publicOrigin } from '../public-url.js';
import { DEEP_LINK_POST_CSP, DEEP_LINK_POST_SCRIPT, deepLinkPostPage } from '../views/deep-link-post-page.js';

interface RespondBody {
  resourceId: number;
  /** The session token, for the form post the page makes (a form cannot send an Authorization header). */
  token?: string;
}

const respondBodySchema = {
  type: 'object',
  required: ['resourceId'],
  properties: { resourceId: { type: 'integer', minimum: 1 }, token: { type: 'string', maxLength: 4000 } },
  additionalProperties: false,
} as const;

/**
 * Deep Linking for instructors: GET /api/deep-linking lists the course's exams;
 * POST /api/deep-linking/resources makes a new one from a package; POST /api/deep-linking/respond
 * signs the answer for the chosen exam. JSON in, JSON out ({returnUrl, jwt}); or, posted as a form
 * with the token in the body, the page that carries the answer to the platform.
 */
export async function deepLinkingApiRoutes(app: FastifyInstance): Promise<void> {
  const { config } = app.services;
  await app.register(multipart, { limits: { fileSize: config.packageMaxBytes, files: 1, fields: 5, parts: 6 } });
  const db = () => app.services.store.db;

  app.get('/api/deep-linking', async (request, reply) => {
    reply.header('Cache-Control', 'no-store');
    return listContextResources(db(), requireLtiSession(request));
  });

  app.post('/api/deep-linking/resources', async (request, reply) => {
    const session = requireLtiSession(request);
    if (!request.isMultipart()) throw new AppError('bad_request', 'Send the package as a multipart form with a "package" file field.');
    let zip: Buffer | null = null;
    let title: string | null = null;
    try {
      for await (const part of request.parts()) {
        if (part.type === 'file') {
          if (part.fieldname !== 'package' || zip !== null) throw new AppError('bad_request', 'Send exactly one file, in the "package" field.');
          zip = await part.toBuffer();
        } else if (part.fieldname === 'title' && typeof part.value === 'string') {
          title = part.value;
        }
      }
    } catch (error) {
      if (error instanceof Error && 'code' in error && error.code === 'FST_REQ_FILE_TOO_LARGE') {
        throw new AppError('bad_request', `The package is larger than the ${Math.round(config.packageMaxBytes / 1024 / 1024)} MB limit.`);
      }
      throw error;
    }
    if (!zip || zip.length === 0) throw new AppError('bad_request', 'Choose a SCORM package (.zip) to upload.');
    const created = await createDeepLinkResource(db(), session, { zip, migrateExisting: false, title }, app.services.now());
    request.log.info({ resourceId: created.resourceId, packageVersionId: created.version.id }, 'deep linking: resource created');
    return reply.status(201).send({ resource: { id: created.resourceId, packageTitle: created.version.title } });
  });

  app.post<{ Body: RespondBody }>('/api/deep-linking/respond', { schema: { body: respondBodySchema } }, async (request, reply) => {
    const fromForm = request.headers['content-type']?.startsWith('application/x-www-form-urlencoded') === true;
    const session = fromForm ? requireLtiSession(request, request.body.token ?? null) : requireLtiSession(request);
    const answer = await deepLinkingResponseFor(
      db(),
      app.services.secretBox,
      session,
      { resourceId: request.body.resourceId, toolOrigin: publicOrigin(request, config) },
      app.services.now(),
    );
    request.log.info({ resourceId: answer.resourceId }, 'deep linking: answer signed');
    reply.header('Cache-Control', 'no-store');
    if (!fromForm) return { returnUrl: answer.returnUrl, jwt: answer.jwt };
    return reply
      .type('text/html; charset=utf-8')
      .header('Content-Security-Policy', DEEP_LINK_POST_CSP)
      .send(deepLinkPostPage({ instanceName: config.instanceName, returnUrl: answer.returnUrl, jwt: answer.jwt, title: answer.title }));
  });

  app.get('/static/deep-link-post.js', { logLevel: 'warn' }, async (_request, reply) =>
    reply.type('text/javascript; charset=utf-8').header('Cache-Control', 'public, max-age=3600').send(DEEP_LINK_POST_SCRIPT),
  );
}
