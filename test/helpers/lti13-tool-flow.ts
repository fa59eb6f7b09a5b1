/**
 * Drives the tool's LTI 1.3 login and launch with app.inject against a real test platform
 * (test/helpers/test-platform): login initiation → the tool's redirect → the platform's /auth
 * checks and id_token → the form post to /lti/launch, carrying the cookies the login set.
 */
import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import { addPlatform } from '../../src/commands/add-platform.js';
import { listenOnLoopback, type TestApp } from './test-app.js';
import { type Authorization, type LaunchInput, SCOPE, startTestPlatform, type TestPlatform, type TestPlatformOptions } from './test-platform/index.js';

export const TOOL_HOST = 'tool.example.edu';
export const TOOL_ORIGIN = `http://${TOOL_HOST}`;
export const TOOL_LOGIN_URL = `${TOOL_ORIGIN}/lti/login`;
export const TOOL_LAUNCH_URL = `${TOOL_ORIGIN}/lti/launch`;

/** Registers a platform client with the tool (by hand, as `platform add` does); returns the platform id and tenant. */
export async function registerWithTool(
  t: TestApp,
  platform: TestPlatform,
  clientId: string,
  deployments: string[] = ['deployment-1'],
): Promise<{ platformId: number; consumerId: number }> {
  if (!platform.clients().some((c) => c.clientId === clientId)) {
    platform.addClient({ clientId, deploymentIds: deployments, redirectUris: [TOOL_LAUNCH_URL], loginUrl: TOOL_LOGIN_URL, targetLinkUri: TOOL_LAUNCH_URL });
  }
  const added = await addPlatform(
    t.store.db,
    t.app.services.secretBox,
    { issuer: platform.issuer, clientId, authLoginUrl: platform.authUrl, tokenUrl: platform.tokenUrl, jwksUrl: platform.jwksUrl, deployments },
    t.clock.now,
  );
  const row = await t.store.db.selectFrom('platforms').select(['id', 'consumer_id']).where('id', '=', added.id).executeTakeFirstOrThrow();
  return { platformId: row.id, consumerId: row.consumer_id };
}

/**
 * The LTI 1.3 service suites' setup: the app listening on loopback (the platform fetches the
 * JWKS we really publish, to check our client assertions and deep linking answers), a test
 * platform with `clientId` allowed every service scope, and that client registered with the tool.
 */
export async function startPlatformFor(t: TestApp, clientId: string, options: TestPlatformOptions = {}): Promise<TestPlatform> {
  const base = await listenOnLoopback(t);
  const platform = await startTestPlatform(options);
  platform.addClient({
    clientId,
    deploymentIds: ['deployment-1'],
    redirectUris: [TOOL_LAUNCH_URL],
    loginUrl: TOOL_LOGIN_URL,
    targetLinkUri: TOOL_LAUNCH_URL,
    toolJwksUrl: `${base}/lti/jwks`,
    allowedScopes: Object.values(SCOPE),
  });
  await registerWithTool(t, platform, clientId);
  return platform;
}

/** name=value pairs of the response's Set-Cookie headers (removals left out). */
export function cookiesOf(res: LightMyRequestResponse): Record<string, string> {
  const raw = res.headers['set-cookie'];
  const list = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
  const out: Record<string, string> = {};
  for (const line of list) {
    const [pair] = line.split(';');
    const eq = pair?.indexOf('=') ?? -1;
    if (pair && eq > 0 && !/Max-Age=0/i.test(line)) out[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return out;
}

export function cookieHeader(cookies: Record<string, string>): string {
  return Object.entries(cookies).map(([k, v]) => `${k}=${v}`).join('; ');
}

export interface LoginOptions {
  clientId?: string;
  method?: 'GET' | 'POST';
  loginHint?: string;
  storageTarget?: string;
  launch?: LaunchInput;
  /** Leave client_id out of the login initiation. */
  omitClientId?: boolean;
}

let hintCounter = 0;

export async function startLogin(t: TestApp, platform: TestPlatform, options: LoginOptions = {}): Promise<LightMyRequestResponse> {
  const init = platform.loginInitiation({
    toolLoginUrl: TOOL_LOGIN_URL,
    targetLinkUri: TOOL_LAUNCH_URL,
    loginHint: options.loginHint ?? options.launch?.sub ?? 'student-1',
    messageHint: `hint-${++hintCounter}`,
    method: options.method ?? 'GET',
    ...(options.clientId === undefined ? {} : { clientId: options.clientId }),
    ...(options.storageTarget === undefined ? {} : { storageTarget: options.storageTarget }),
    ...(options.launch === undefined ? {} : { launch: options.launch }),
  });
  const params = { ...init.params };
  if (options.omitClientId) delete params.client_id;
  const body = new URLSearchParams(params).toString();
  return init.method === 'GET'
    ? t.app.inject({ method: 'GET', url: `/lti/login?${body}`, headers: { host: TOOL_HOST } })
    : t.app.inject({ method: 'POST', url: '/lti/login', headers: { host: TOOL_HOST, 'content-type': 'application/x-www-form-urlencoded' }, payload: body });
}

export interface LoggedIn {
  auth: Authorization;
  cookies: Record<string, string>;
}

/** A login through the platform's /auth: the id_token and state the platform would form_post, and the login's cookies. */
export async function loginAndAuthorize(t: TestApp, platform: TestPlatform, options: LoginOptions = {}): Promise<LoggedIn> {
  const res = await startLogin(t, platform, options);
  assert.equal(res.statusCode, 302, `login should redirect to the platform: ${res.body}`);
  const auth = await platform.authorize(String(res.headers.location));
  return { auth, cookies: cookiesOf(res) };
}

export async function postLaunch(t: TestApp, form: Record<string, string>, cookies: Record<string, string> = {}): Promise<LightMyRequestResponse> {
  return t.app.inject({
    method: 'POST',
    url: '/lti/launch',
    headers: {
      host: TOOL_HOST,
      'content-type': 'application/x-www-form-urlencoded',
      'user-agent': 'lti13-test/1.0',
      ...(Object.keys(cookies).length > 0 ? { cookie: cookieHeader(cookies) } : {}),
    },
    payload: new URLSearchParams(form).toString(),
  });
}

/** Login, authorization and launch in one go; returns the launch response. */
export async function fullLaunch(t: TestApp, platform: TestPlatform, options: LoginOptions = {}): Promise<LightMyRequestResponse> {
  const { auth, cookies } = await loginAndAuthorize(t, platform, options);
  return postLaunch(t, auth.form, cookies);
}

/** A launch of `input` through the platform for `clientId` that must succeed; returns the session token. */
export async function launchToken(t: TestApp, platform: TestPlatform, clientId: string, input: LaunchInput): Promise<string> {
  const res = await fullLaunch(t, platform, { clientId, launch: { clientId, ...input } });
  assert.equal(res.statusCode, 303, res.body);
  return tokenFrom(res.headers.location);
}

export function tokenFrom(location: unknown): string {
  const match = /^\/app\/#token=(.+)$/.exec(String(location ?? ''));
  assert.ok(match?.[1], `expected a redirect to the app with a token, got ${String(location)}`);
  return decodeURIComponent(match[1]);
}

/** The session token's payload (it is not secret, only signed). */
export function tokenPayload(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
}

export async function sessionOf(t: TestApp, token: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await t.app.inject({ method: 'GET', url: '/api/session', headers: { authorization: `Bearer ${token}` } });
  return { status: res.statusCode, body: res.json() as Record<string, unknown> };
}

export const STORED_TABLES = ['users', 'contexts', 'resource_links', 'launches', 'launch_services', 'lti13_nonces'] as const;

export async function storedCounts(t: TestApp): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const table of STORED_TABLES) {
    const row = await t.store.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    out[table] = Number(row.n);
  }
  return out;
}

/** The refusal code shown on an error page (data-error-code). */
export function errorCodeOf(res: LightMyRequestResponse): string | null {
  return /data-error-code="([^"]+)"/.exec(res.body)?.[1] ?? null;
}
