import type { AgsStore } from './ags-store.js';
import { PlatformRefusal, autoSubmitPage } from './http-kit.js';
import { mintIdToken } from './id-token.js';
import { type PlatformState, findClient } from './state.js';
import type { Authorization, LoginInitiation, LoginInitiationInput, RequestRecord } from './types.js';

/**
 * The login initiation a platform sends to the tool (third-party initiated login), remembered
 * under its message hint so /auth knows what to mint for it.
 */
export function loginInitiation(state: PlatformState, input: LoginInitiationInput): LoginInitiation {
  const client = findClient(state, input.clientId ?? input.launch?.clientId);
  const deploymentId = input.deploymentId ?? input.launch?.deploymentId ?? client.deploymentIds[0] ?? 'deployment-1';
  state.toolOrigins.add(new URL(input.toolLoginUrl).origin);
  state.pendingLogins.set(input.messageHint, {
    loginHint: input.loginHint,
    messageHint: input.messageHint,
    clientId: client.clientId,
    deploymentId,
    targetLinkUri: input.targetLinkUri,
    storageTarget: input.storageTarget ?? null,
    launch: input.launch ?? {},
  });
  const params: Record<string, string> = {
    iss: state.origin,
    login_hint: input.loginHint,
    target_link_uri: input.targetLinkUri,
    lti_message_hint: input.messageHint,
    client_id: client.clientId,
    lti_deployment_id: deploymentId,
  };
  if (input.storageTarget !== undefined) params.lti_storage_target = input.storageTarget;
  const html = autoSubmitPage(input.toolLoginUrl, input.method, params);
  if (input.method === 'POST') return { method: 'POST', url: input.toolLoginUrl, params, html };
  const url = new URL(input.toolLoginUrl);
  for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
  return { method: 'GET', url: url.href, params, html };
}

/** Checks an OIDC authentication request the way the platform's /auth does; returns the reason on refusal. */
export async function authorizeParams(state: PlatformState, ags: AgsStore, params: Record<string, string>): Promise<Authorization> {
  const refuse = (message: string): never => {
    throw new PlatformRefusal(400, 'invalid_request', message);
  };
  const need = (name: string): string => {
    const value = params[name];
    if (value === undefined || value === '') refuse(`${name} is required.`);
    return value as string;
  };
  if (!need('scope').split(' ').includes('openid')) refuse('scope must include openid.');
  if (need('response_type') !== 'id_token') refuse('response_type must be id_token.');
  if (need('response_mode') !== 'form_post') refuse('response_mode must be form_post.');
  if (need('prompt') !== 'none') refuse('prompt must be none.');
  const client = state.clients.get(need('client_id'));
  if (client === undefined) refuse(`client_id "${params.client_id}" is not registered.`);
  const redirectUri = need('redirect_uri');
  if (!client?.redirectUris.includes(redirectUri)) refuse(`redirect_uri "${redirectUri}" is not registered for this client.`);
  const loginHint = need('login_hint');
  const st = need('state');
  const nonce = need('nonce');
  const messageHint = need('lti_message_hint');
  const pending = state.pendingLogins.get(messageHint);
  if (pending === undefined) refuse('lti_message_hint is not one this platform issued.');
  if (pending?.loginHint !== loginHint) refuse('login_hint does not match the user of this launch.');
  if (pending?.clientId !== params.client_id) refuse('client_id does not match the login initiation.');
  const login = pending as NonNullable<typeof pending>;
  const minted = await mintIdToken(state, ags, {
    ...login.launch,
    clientId: login.clientId,
    deploymentId: login.deploymentId,
    targetLinkUri: login.launch.targetLinkUri ?? login.targetLinkUri,
    sub: login.launch.sub ?? login.loginHint,
    nonce,
  });
  const form: Record<string, string> = { id_token: minted.idToken, state: st };
  if (login.storageTarget !== null) form.lti_storage_target = login.storageTarget;
  return { idToken: minted.idToken, state: st, redirectUri, nonce, payload: minted.payload, form };
}

/** `authorize(url)` for tests: the same checks and token as /auth, without the HTML. */
export async function authorizeUrl(
  state: PlatformState,
  ags: AgsStore,
  records: RequestRecord[],
  request: string | URL | URLSearchParams,
): Promise<Authorization> {
  let search: URLSearchParams;
  if (request instanceof URLSearchParams) search = request;
  else {
    const url = new URL(request);
    if (url.origin !== state.origin || url.pathname !== '/auth') {
      throw new PlatformRefusal(400, 'invalid_request', `The tool redirected to ${url.origin}${url.pathname}, not to ${state.origin}/auth.`);
    }
    search = url.searchParams;
  }
  const params = Object.fromEntries(search);
  const record: RequestRecord = { at: state.now(), method: 'GET', path: '/auth', status: 200, clientId: params.client_id ?? null, detail: null };
  records.push(record);
  try {
    return await authorizeParams(state, ags, params);
  } catch (error) {
    record.status = error instanceof PlatformRefusal ? error.status : 500;
    record.detail = error instanceof Error ? error.message : String(error);
    throw error;
  }
}

/** The /auth answer: an HTML page that form_posts id_token and state to the tool. */
export function authorizationPage(auth: Authorization): string {
  return autoSubmitPage(auth.redirectUri, 'POST', auth.form);
}
