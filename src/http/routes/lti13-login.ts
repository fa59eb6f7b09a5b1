/**
 * LTI 1.3 OIDC login initiation (third-party initiated login).
 *
 *   GET|POST /lti/login           find the platform, issue state and nonce, keep the state in
 *                                 the browser, go to the platform's authorization endpoint
 *   GET /static/lti13-storage.js  the platform storage script of the exchange pages
 *
 * With `lti_storage_target` the answer is a page that puts the state in platform storage and
 * then moves on; otherwise a 302. Both set the state cookie, a fallback for the other.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { authorizationUrl, startLti13Login } from '../../commands/start-lti13-login.js';
import { LOGIN_STATE_TTL_SECONDS, composeState, exchangePageHeaders, stateCookies, storageKey } from '../lti13-browser-state.js';
import { publicOrigin } from '../public-url.js';
import { storagePutPage } from '../views/lti13-exchange-pages.js';
import { LTI13_STORAGE_SCRIPT } from '../views/lti13-storage-script.js';

type FormValue = string | string[] | undefined;
type Form = Record<string, FormValue>;

const formSchema = {
  type: 'object',
  additionalProperties: { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] },
} as const;

export async function lti13LoginRoutes(app: FastifyInstance): Promise<void> {
  async function login(request: FastifyRequest<{ Body: Form; Querystring: Form }>, reply: FastifyReply): Promise<FastifyReply> {
    const { store, config, loginStateKey, now } = app.services;
    // A POSTed login carries its parameters in the body; some platforms add them to the URL too.
    const params = request.method === 'POST' ? { ...(request.query ?? {}), ...(request.body ?? {}) } : (request.query ?? {});
    const started = await startLti13Login(store.db, params, loginStateKey, LOGIN_STATE_TTL_SECONDS, now());
    const origin = publicOrigin(request, config);
    const state = composeState(started.signedState, {
      loginHint: started.login.loginHint,
      messageHint: started.login.ltiMessageHint,
      deploymentId: started.login.deploymentId,
    });
    const authUrl = authorizationUrl(started, state, `${origin}/lti/launch`);
    reply.header('Set-Cookie', stateCookies(started.signedState, state, origin.startsWith('http:')));
    const target = started.login.storageTarget;
    if (target === null) return reply.header('Cache-Control', 'no-store').redirect(authUrl, 302);
    const platformOrigin = new URL(started.platform.auth_login_url).origin;
    return exchangePageHeaders(reply, platformOrigin).send(
      storagePutPage({
        target,
        platformOrigin,
        key: storageKey(started.signedState),
        value: state,
        authUrl,
        instanceName: config.instanceName,
      }),
    );
  }

  app.get<{ Body: Form; Querystring: Form }>('/lti/login', { schema: { querystring: formSchema } }, login);
  app.post<{ Body: Form; Querystring: Form }>('/lti/login', { schema: { body: formSchema, querystring: formSchema }, bodyLimit: 64 * 1024 }, login);

  app.get('/static/lti13-storage.js', { logLevel: 'warn' }, async (_request, reply) =>
    reply.type('text/javascript; charset=utf-8').header('Cache-Control', 'public, max-age=300').send(LTI13_STORAGE_SCRIPT),
  );
}
