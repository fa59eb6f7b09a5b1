import type { FastifyInstance, FastifyRequest } from 'fastify';
import { launchLti11 } from '../../commands/launch-lti11.js';
import { issueSessionToken } from '../../domain/session-token.js';
import { isAppError } from '../../lib/errors.js';
import { errorReturnUrl } from '../../lti/lti11/launch-message.js';
import { parseAuthorizationHeader } from '../../lti/oauth1/index.js';
import { publicRequestUrl } from '../public-url.js';
import { handleLti13Launch } from './lti13-launch.js';

type FormValue = string | string[] | undefined;
type Form = Record<string, FormValue>;

function pairsOf(record: Form | undefined): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const [name, value] of Object.entries(record ?? {})) {
    if (Array.isArray(value)) for (const v of value) out.push([name, v]);
    else if (typeof value === 'string') out.push([name, value]);
  }
  return out;
}

/** Everything the consumer signed: form body, query string and Authorization header. */
function signedParams(request: FastifyRequest<{ Body: Form; Querystring: Form }>): Array<[string, string]> {
  return [...pairsOf(request.body), ...pairsOf(request.query), ...parseAuthorizationHeader(request.headers.authorization)];
}

const formSchema = {
  type: 'object',
  additionalProperties: { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] },
} as const;

export async function ltiLaunchRoutes(app: FastifyInstance): Promise<void> {
  app.post<{ Body: Form; Querystring: Form }>(
    '/lti/launch',
    { schema: { body: formSchema, querystring: formSchema }, bodyLimit: 256 * 1024 },
    async (request, reply) => {
      // The same URL serves both versions: an LTI 1.3 launch is a form post with an id_token.
      if (request.body?.id_token !== undefined) return handleLti13Launch(app, request, reply, request.body);
      const { store, secretBox, config, sessionKey, now } = app.services;
      const params = signedParams(request);
      try {
        const launch = await launchLti11(
          store.db,
          secretBox,
          config.instructorRoles,
          { method: 'POST', url: publicRequestUrl(request, config), params, userAgent: request.headers['user-agent'] ?? null },
          now(),
        );
        const { token } = issueSessionToken(
          sessionKey,
          { consumerId: launch.consumerId, userId: launch.userId, resourceLinkId: launch.resourceLinkId, role: launch.role, launchId: launch.launchId },
          now(),
          config.sessionTtlSeconds,
        );
        request.log.info({ launchId: launch.launchId, role: launch.role }, 'LTI 1.1 launch accepted');
        // The token rides in the fragment: never sent to a server, never in a Referer, no cookie.
        return reply.header('Cache-Control', 'no-store').redirect(`/app/#token=${encodeURIComponent(token)}`, 303);
      } catch (error) {
        const returnTo = isAppError(error) && error.code.startsWith('lti_')
          ? errorReturnUrl(params.findLast(([k]) => k === 'launch_presentation_return_url')?.[1], error.publicMessage)
          : null;
        if (returnTo) {
          request.log.info({ code: isAppError(error) ? error.code : 'unknown' }, 'LTI launch refused; returning to the LMS');
          return reply.redirect(returnTo, 302);
        }
        throw error;
      }
    },
  );
}
