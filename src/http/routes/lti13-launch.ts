/**
 * LTI 1.3 launches. POST /lti/launch (src/http/routes/lti-launch.ts) hands a body with an
 * `id_token` here; POST /lti/launch/continue is where the platform storage page posts back.
 *
 * Where the browser kept the state decides the path:
 * 1. the launch names an lti_storage_target: a page reads the state from platform storage
 *    and posts it, with the launch, to /lti/launch/continue (its cookie is the fallback there);
 * 2. the state cookie came back: the launch is checked at once;
 * 3. neither: "Open in a new window", which starts the login again at top level.
 * Then the ordered validation pipeline runs (src/commands/launch-lti13.ts), and an accepted
 * launch opens the same session as LTI 1.1: 303 to /app/#token=….
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { launchLti13, lti13Refusal } from '../../commands/launch-lti13.js';
import { issueSessionToken } from '../../domain/session-token.js';
import { AppError } from '../../lib/errors.js';
import { readLoginState } from '../../lti/lti13/login-state.js';
import { isLti13Error } from '../../lti/lti13/lti13-error.js';
import { findPlatformById } from '../../store/repositories/platforms.js';
import { clearStateCookies, exchangePageHeaders, isSameOriginPost, splitState, stateFromCookies, storageKey } from '../lti13-browser-state.js';
import { publicOrigin } from '../public-url.js';
import { newWindowPage, storageGetPage } from '../views/lti13-exchange-pages.js';

type FormValue = string | string[] | undefined;
export type LaunchForm = Record<string, FormValue>;

function field(form: LaunchForm | undefined, name: string): string | null {
  const value = form?.[name];
  const text = Array.isArray(value) ? value.at(-1) : value;
  return typeof text === 'string' && text !== '' ? text : null;
}

/** Runs the launch with what the browser kept, and presents the session or the refusal. */
async function accept(app: FastifyInstance, request: FastifyRequest, reply: FastifyReply, idToken: string, posted: string, kept: string): Promise<FastifyReply> {
  const { store, secretBox, config, sessionKey, loginStateKey, jwks, now } = app.services;
  const { signed } = splitState(posted);
  // The browser kept the whole posted state; anything else is another login's (or altered).
  const browserState = kept === posted ? signed : kept;
  let launch;
  try {
    launch = await launchLti13(
      store.db,
      { box: secretBox, jwks, stateKey: loginStateKey, instructorRoles: config.instructorRoles },
      { idToken, state: signed, browserState, userAgent: request.headers['user-agent'] ?? null },
      now(),
    );
  } catch (error) {
    if (isLti13Error(error)) {
      request.log.info({ lti13: error.code, step: error.step }, 'LTI 1.3 launch refused');
      throw lti13Refusal(error);
    }
    throw error;
  }
  const m = launch.message;
  const { token } = issueSessionToken(
    sessionKey,
    {
      consumerId: launch.consumerId,
      userId: launch.userId,
      resourceLinkId: launch.resourceLinkId,
      role: launch.role,
      launchId: launch.launchId,
      ...(launch.sessionMessage === 'resource-link' ? {} : { message: launch.sessionMessage }),
      ...(m.forUser ? { forUser: m.forUser.userId } : {}),
      ...(m.deepLinking ? { deepLinking: { returnUrl: m.deepLinking.returnUrl, data: m.deepLinking.data } } : {}),
    },
    now(),
    config.sessionTtlSeconds,
  );
  request.log.info({ launchId: launch.launchId, role: launch.role, message: launch.sessionMessage, migrated: launch.migrated }, 'LTI 1.3 launch accepted');
  const origin = publicOrigin(request, config);
  return reply
    .header('Set-Cookie', clearStateCookies(signed, origin.startsWith('http:')))
    .header('Cache-Control', 'no-store')
    .redirect(`/app/#token=${encodeURIComponent(token)}`, 303);
}

/** The platform a valid state names, for the exchange pages; a bad state is refused as the pipeline would. */
async function platformOfState(app: FastifyInstance, signed: string) {
  const { store, loginStateKey, now } = app.services;
  try {
    const state = readLoginState(loginStateKey, signed, now());
    const platform = await findPlatformById(store.db, state.platformId);
    if (!platform) throw new AppError('lti13_unknown_platform', 'The platform this login was started for is no longer registered.');
    return { state, platform };
  } catch (error) {
    if (isLti13Error(error)) throw lti13Refusal(error);
    throw error;
  }
}

/** The browser kept the state nowhere: offer to start the login again at top level. */
async function offerNewWindow(app: FastifyInstance, reply: FastifyReply, posted: string, signed: string): Promise<FastifyReply> {
  const { platform, state } = await platformOfState(app, signed);
  const { hints } = splitState(posted);
  if (hints === null) {
    throw new AppError('lti13_refused', 'Your browser did not keep this launch\'s sign-in state (third-party cookies are blocked). Open the link from your course in a new window.');
  }
  const login: Record<string, string> = {
    iss: platform.issuer,
    client_id: platform.client_id,
    login_hint: hints.loginHint,
    target_link_uri: state.targetLinkUri,
  };
  if (hints.messageHint !== null) login.lti_message_hint = hints.messageHint;
  if (hints.deploymentId !== null) login.lti_deployment_id = hints.deploymentId;
  return exchangePageHeaders(reply.code(200), new URL(platform.auth_login_url).origin).send(
    newWindowPage({ login, instanceName: app.services.config.instanceName }),
  );
}

function requireLaunchFields(form: LaunchForm | undefined): { idToken: string; posted: string } {
  const idToken = field(form, 'id_token');
  const posted = field(form, 'state');
  if (idToken === null) throw new AppError('lti13_refused', 'The launch has no id_token.');
  if (posted === null) throw new AppError('lti13_refused', 'The launch has no state: it did not come from a login started by this tool.');
  return { idToken, posted };
}

/** POST /lti/launch with an id_token. */
export async function handleLti13Launch(app: FastifyInstance, request: FastifyRequest, reply: FastifyReply, form: LaunchForm | undefined): Promise<FastifyReply> {
  const { idToken, posted } = requireLaunchFields(form);
  const { signed } = splitState(posted);
  const target = field(form, 'lti_storage_target');
  if (target !== null) {
    const { platform } = await platformOfState(app, signed);
    return exchangePageHeaders(reply, null).send(
      storageGetPage({
        target,
        platformOrigin: new URL(platform.auth_login_url).origin,
        key: storageKey(signed),
        idToken,
        state: posted,
        instanceName: app.services.config.instanceName,
      }),
    );
  }
  const cookie = stateFromCookies(request, signed);
  if (cookie !== null) return accept(app, request, reply, idToken, posted, cookie);
  return offerNewWindow(app, reply, posted, signed);
}

const formSchema = {
  type: 'object',
  additionalProperties: { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] },
} as const;

export async function lti13LaunchRoutes(app: FastifyInstance): Promise<void> {
  app.post<{ Body: LaunchForm }>('/lti/launch/continue', { schema: { body: formSchema }, bodyLimit: 256 * 1024 }, async (request, reply) => {
    // Only this site's storage page may say what platform storage held: a form posted from
    // anywhere else could claim any value and bind someone else's launch to this browser.
    if (!isSameOriginPost(request, publicOrigin(request, app.services.config))) {
      throw new AppError('lti13_refused', 'This launch continuation did not come from this tool\'s own page. Open the link from your course again.');
    }
    const { idToken, posted } = requireLaunchFields(request.body);
    const { signed } = splitState(posted);
    const kept = field(request.body, 'lti_storage_value') ?? stateFromCookies(request, signed);
    if (kept === null) return offerNewWindow(app, reply, posted, signed);
    return accept(app, request, reply, idToken, posted, kept);
  });
}
