import multipart from '@fastify/multipart';
import type { FastifyInstance } from 'fastify';
import { readResource } from '../../commands/read-resource.js';
import { uploadPackage } from '../../commands/upload-package.js';
import { AppError } from '../../lib/errors.js';
import { requireLtiSession } from '../auth/lti-session.js';

export async function resourceApiRoutes(app: FastifyInstance): Promise<void> {
  const { config } = app.services;
  await app.register(multipart, { limits: { fileSize: config.packageMaxBytes, files: 1, fields: 5, parts: 6 } });

  app.get('/api/resource', async (request, reply) => {
    const session = requireLtiSession(request);
    reply.header('Cache-Control', 'no-store');
    return readResource(app.services.store.db, session, app.services.now());
  });

  app.post('/api/resource/package', async (request, reply) => {
    const session = requireLtiSession(request);
    if (!request.isMultipart()) throw new AppError('bad_request', 'Send the package as a multipart form with a "package" file field.');
    let zip: Buffer | null = null;
    let migrateExisting = false;
    try {
      for await (const part of request.parts()) {
        if (part.type === 'file') {
          if (part.fieldname !== 'package' || zip !== null) throw new AppError('bad_request', 'Send exactly one file, in the "package" field.');
          zip = await part.toBuffer();
        } else if (part.fieldname === 'migrateExisting') {
          migrateExisting = part.value === 'true' || part.value === 'on';
        }
      }
    } catch (error) {
      if (error instanceof Error && 'code' in error && error.code === 'FST_REQ_FILE_TOO_LARGE') {
        throw new AppError('bad_request', `The package is larger than the ${Math.round(config.packageMaxBytes / 1024 / 1024)} MB limit.`);
      }
      throw error;
    }
    if (!zip || zip.length === 0) throw new AppError('bad_request', 'Choose a SCORM package (.zip) to upload.');
    const version = await uploadPackage(app.services.store.db, session, { zip, migrateExisting }, app.services.now());
    request.log.info({ packageVersionId: version.id, sha256: version.sha256 }, 'package uploaded');
    return reply.status(201).send({
      package: { versionId: version.id, title: version.title, scormVersion: version.scorm_version, numbasVersion: version.numbas_version, uploadedAt: new Date(version.created_at).toISOString() },
    });
  });
}
