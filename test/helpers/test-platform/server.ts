import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DeepLinkReturn } from './deep-link-return.js';
import { PlatformRefusal, escapeHtml, formFields, readBody, send, sendJson } from './http-kit.js';
import { authorizationPage, authorizeParams } from './oidc.js';
import type { Registration } from './registration.js';
import { type ServiceDeps, handleService, isServicePath } from './service-routes.js';
import { launchFramePage, storageFramePage } from './storage-pages.js';
import type { LoginInitiation, RequestRecord, TokenRequestRecord } from './types.js';

export interface ServerDeps extends ServiceDeps {
  registration: Registration;
  deepLinks: DeepLinkReturn;
  authRecords: RequestRecord[];
  tokenRecords: TokenRequestRecord[];
  serviceRecords: RequestRecord[];
  returnRecords: Array<{ at: number; query: Record<string, string> }>;
  launchFrames: Map<string, LoginInitiation>;
  counters: { jwksFetches: number };
  /** Injected failures for the token and service endpoints. */
  failures: { count: number; status: number };
}

function page(title: string, body: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head><body>${body}</body></html>`;
}

function refusalOf(error: unknown): PlatformRefusal {
  if (error instanceof PlatformRefusal) return error;
  return new PlatformRefusal(500, 'server_error', error instanceof Error ? error.message : String(error));
}

/** Takes one injected failure if any is pending, answering it. */
function injectedFailure(deps: ServerDeps, res: ServerResponse): boolean {
  if (deps.failures.count <= 0) return false;
  deps.failures.count--;
  send(res, deps.failures.status, `Simulated platform failure ${deps.failures.status}`, 'text/plain');
  return true;
}

export async function handleRequest(deps: ServerDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const { state } = deps;
  const url = new URL(req.url ?? '/', state.origin);
  const method = req.method ?? 'GET';
  const body = await readBody(req);
  const path = url.pathname;

  if (path === '/jwks' && method === 'GET') {
    deps.counters.jwksFetches++;
    return sendJson(res, 200, state.keys.jwks(), 'application/jwk-set+json');
  }
  if (path === '/auth' && (method === 'GET' || method === 'POST')) {
    const params = formFields(req, body, url);
    const record: RequestRecord = { at: state.now(), method, path, status: 200, clientId: params.client_id ?? null, detail: null };
    deps.authRecords.push(record);
    try {
      return send(res, 200, authorizationPage(await authorizeParams(state, deps.ags, params)), 'text/html; charset=utf-8');
    } catch (error) {
      const refusal = refusalOf(error);
      record.status = refusal.status;
      record.detail = refusal.message;
      return send(res, refusal.status, page('Launch refused', `<p>${escapeHtml(refusal.message)}</p>`), 'text/html; charset=utf-8');
    }
  }
  if (path === '/token') {
    const fields = formFields(req, body, new URL(state.origin));
    const record: TokenRequestRecord = {
      at: state.now(),
      method,
      path,
      status: 200,
      clientId: null,
      detail: null,
      requestedScopes: (fields.scope ?? '').split(' ').filter((s) => s !== ''),
      grantedScopes: [],
      grantId: null,
      verifiedWith: null,
      assertionKid: null,
    };
    deps.tokenRecords.push(record);
    if (injectedFailure(deps, res)) {
      record.status = deps.failures.status;
      record.detail = 'injected failure';
      return;
    }
    try {
      if (method !== 'POST') throw new PlatformRefusal(405, 'invalid_request', 'POST only.');
      const granted = await deps.tokens.grant(fields);
      record.clientId = granted.clientId;
      record.grantedScopes = String(granted.body.scope).split(' ');
      record.grantId = granted.proof.grantId;
      record.verifiedWith = granted.proof.verifiedWith;
      record.assertionKid = granted.proof.assertionKid;
      return sendJson(res, 200, granted.body);
    } catch (error) {
      const refusal = refusalOf(error);
      record.status = refusal.status;
      record.detail = refusal.message;
      return sendJson(res, refusal.status, { error: refusal.code, error_description: refusal.message });
    }
  }
  if (isServicePath(path)) {
    const record: RequestRecord = { at: state.now(), method, path: `${path}${url.search}`, status: 200, clientId: null, detail: null };
    deps.serviceRecords.push(record);
    if (injectedFailure(deps, res)) {
      record.status = deps.failures.status;
      record.detail = 'injected failure';
      return;
    }
    const call = { req, res, url, body, clientId: null as string | null };
    try {
      await handleService(deps, call);
      record.status = res.statusCode;
    } catch (error) {
      const refusal = refusalOf(error);
      record.status = refusal.status;
      record.detail = refusal.message;
      const headers: Record<string, string> = refusal.status === 401 ? { 'WWW-Authenticate': 'Bearer' } : {};
      sendJson(res, refusal.status, { error: refusal.code, error_description: refusal.message }, 'application/json', headers);
    }
    record.clientId = call.clientId;
    return;
  }
  if (path === '/deep-link-return' && method === 'POST') {
    try {
      const done = await deps.deepLinks.receive(formFields(req, body, url).JWT);
      const text = `${done.items.length} item(s) added.${done.msg === null ? '' : ` ${done.msg}`}`;
      return send(res, 200, page('Content added', `<p id="deep-link-result">${escapeHtml(text)}</p>`), 'text/html; charset=utf-8');
    } catch (error) {
      const refusal = refusalOf(error);
      return send(res, refusal.status, page('Deep linking refused', `<p id="deep-link-result">${escapeHtml(refusal.message)}</p>`), 'text/html; charset=utf-8');
    }
  }
  if (path === '/.well-known/openid-configuration' && method === 'GET') {
    return sendJson(res, 200, deps.registration.configuration());
  }
  if (path === '/register' && method === 'POST') {
    try {
      return sendJson(res, 200, deps.registration.register(req, body));
    } catch (error) {
      const refusal = refusalOf(error);
      return sendJson(res, refusal.status, { error: refusal.code, error_description: refusal.message });
    }
  }
  if (path === '/storage-frame' && method === 'GET') {
    return send(res, 200, storageFramePage([...state.toolOrigins]), 'text/html; charset=utf-8');
  }
  if (path === '/launch-frame' && method === 'GET') {
    const login = deps.launchFrames.get(url.searchParams.get('id') ?? '');
    if (login === undefined) return send(res, 404, 'No such launch.', 'text/plain');
    return send(res, 200, launchFramePage(login, [...state.toolOrigins]), 'text/html; charset=utf-8');
  }
  if (path === '/return' && method === 'GET') {
    deps.returnRecords.push({ at: state.now(), query: Object.fromEntries(url.searchParams) });
    return send(res, 200, page('Back in the course', '<p>Back in the course.</p>'), 'text/html; charset=utf-8');
  }
  send(res, 404, 'Not found on the test platform.', 'text/plain');
}
