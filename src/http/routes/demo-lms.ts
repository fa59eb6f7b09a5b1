/**
 * The demo LMS, registered only when DEMO is on (never in production): a course page that
 * frames the tool and launches it with a real, signed LTI 1.1 launch from the browser.
 *
 *   POST /demo/launch            the course page, launching as the chosen person
 *   GET  /demo/return            launch_presentation_return_url: the tool's message, if any
 *   GET  /static/demo-launch.js  submits the signed form into the frame
 *   GET  /static/demo-lms.css    the LMS look
 *
 * The launch URL's origin is DEMO_TOOL_ORIGIN when set (so the LMS page and the tool can be
 * on different sites, as with a real LMS), otherwise the origin this page was reached at.
 */
import type { FastifyInstance } from 'fastify';
import { DEMO_STUDENTS, type DemoLaunchAs, demoPerson, signDemoLaunch } from '../../commands/sign-demo-launch.js';
import { publicOrigin } from '../public-url.js';
import { DEMO_LAUNCH_SCRIPT } from '../views/demo-launch-script.js';
import { DEMO_LMS_CSS } from '../views/demo-lms-css.js';
import { demoCoursePage, demoReturnPage } from '../views/demo-lms-page.js';

interface LaunchBody {
  as: 'instructor' | 'student';
  student?: string;
}

const launchBodySchema = {
  type: 'object',
  required: ['as'],
  properties: {
    as: { type: 'string', enum: ['instructor', 'student'] },
    student: { type: 'string', enum: DEMO_STUDENTS.map((s) => s.id) },
  },
} as const;

interface ReturnQuery {
  lti_msg?: string;
  lti_errormsg?: string;
}

const returnQuerySchema = {
  type: 'object',
  properties: {
    lti_msg: { type: 'string' },
    lti_errormsg: { type: 'string' },
    lti_log: { type: 'string' },
    lti_errorlog: { type: 'string' },
  },
} as const;

/** The demo pages' policy: own scripts only, and forms and frames may also go to the tool. */
function contentSecurityPolicy(toolOrigin: string): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    `frame-src 'self' ${toolOrigin}`,
    `form-action 'self' ${toolOrigin}`,
    "base-uri 'none'",
    "object-src 'none'",
    "frame-ancestors 'self'",
  ].join('; ');
}

function nonEmpty(value: string | undefined): string | null {
  return value === undefined || value.trim() === '' ? null : value;
}

export async function demoLmsRoutes(app: FastifyInstance): Promise<void> {
  app.post<{ Body: LaunchBody }>('/demo/launch', { schema: { body: launchBodySchema } }, async (request, reply) => {
    const { config, store, secretBox, now } = app.services;
    const lmsOrigin = publicOrigin(request, config);
    const toolOrigin = config.demoToolOrigin ?? lmsOrigin;
    const launchUrl = `${toolOrigin}/lti/launch`;
    const who: DemoLaunchAs =
      request.body.as === 'instructor' ? { as: 'instructor' } : { as: 'student', studentId: request.body.student ?? DEMO_STUDENTS[0]?.id ?? '' };
    const person = demoPerson(who);
    const params = await signDemoLaunch(store.db, secretBox, { launchUrl, lmsOrigin, who, now: now() });
    return reply
      .type('text/html; charset=utf-8')
      .header('Cache-Control', 'no-store')
      .header('Content-Security-Policy', contentSecurityPolicy(toolOrigin))
      .send(demoCoursePage({ instanceName: config.instanceName, who, person, launchUrl, params }));
  });

  app.get<{ Querystring: ReturnQuery }>('/demo/return', { schema: { querystring: returnQuerySchema } }, async (request, reply) => {
    const { config } = app.services;
    return reply
      .type('text/html; charset=utf-8')
      .header('Cache-Control', 'no-store')
      .header('Content-Security-Policy', contentSecurityPolicy(config.demoToolOrigin ?? publicOrigin(request, config)))
      .send(demoReturnPage({ instanceName: config.instanceName, message: nonEmpty(request.query.lti_msg), errorMessage: nonEmpty(request.query.lti_errormsg) }));
  });

  app.get('/static/demo-launch.js', { logLevel: 'warn' }, async (_request, reply) =>
    reply.type('text/javascript; charset=utf-8').header('Cache-Control', 'no-cache').send(DEMO_LAUNCH_SCRIPT),
  );

  app.get('/static/demo-lms.css', { logLevel: 'warn' }, async (_request, reply) =>
    reply.type('text/css; charset=utf-8').header('Cache-Control', 'no-cache').send(DEMO_LMS_CSS),
  );
}
