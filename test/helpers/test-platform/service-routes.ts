import type { IncomingMessage, ServerResponse } from 'node:http';
import { type AgsStore, lineItemFields, lineItemJson, scoreFields } from './ags-store.js';
import { PlatformRefusal, mediaType, paginate, parseJsonObject, sendJson } from './http-kit.js';
import { MEDIA, SCOPE } from './lti-names.js';
import type { PlatformState } from './state.js';
import type { TokenService } from './token-service.js';
import type { LineItem, Member } from './types.js';

export interface ServiceDeps {
  state: PlatformState;
  ags: AgsStore;
  tokens: TokenService;
  members: Map<string, Member[]>;
}

export interface ServiceRequest {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  body: Buffer;
  /** Set once the bearer token is known, for the request record. */
  clientId: string | null;
}

const LINE_ITEMS = /^\/contexts\/([^/]+)\/lineitems$/;
const LINE_ITEM = /^\/contexts\/([^/]+)\/lineitems\/(\d+)(\/scores|\/results)?$/;
const MEMBERSHIPS = /^\/contexts\/([^/]+)\/memberships$/;

const READ_ITEMS = [SCOPE.lineItem, SCOPE.lineItemReadonly];

function requireMedia(req: IncomingMessage, expected: string): void {
  if (mediaType(req) !== expected) throw new PlatformRefusal(415, 'unsupported_media_type', `Content-Type must be ${expected}.`);
}

/** A line item the calling client may see: its own, or one the platform made. */
function visible(item: LineItem | undefined, clientId: string): LineItem {
  if (item === undefined || (item.createdBy !== clientId && item.createdBy !== 'platform')) {
    throw new PlatformRefusal(404, 'not_found', 'No such line item.');
  }
  return item;
}

/** True when the path is an AGS or NRPS endpoint (handled, or refused, here). */
export function isServicePath(pathname: string): boolean {
  return LINE_ITEMS.test(pathname) || LINE_ITEM.test(pathname) || MEMBERSHIPS.test(pathname);
}

export async function handleService(deps: ServiceDeps, call: ServiceRequest): Promise<void> {
  const { req, res, url } = call;
  const method = req.method ?? 'GET';
  const auth = (scopes: readonly string[]): string => {
    call.clientId = deps.tokens.peekClient(req);
    return deps.tokens.authorize(req, scopes);
  };

  const items = LINE_ITEMS.exec(url.pathname);
  if (items !== null) {
    const contextId = decodeURIComponent(items[1] as string);
    if (method === 'GET') {
      const clientId = auth(READ_ITEMS);
      const filters = { resourceId: url.searchParams.get('resource_id'), resourceLinkId: url.searchParams.get('resource_link_id'), tag: url.searchParams.get('tag') };
      const list = deps.ags
        .list(contextId)
        .filter((i) => i.createdBy === clientId || i.createdBy === 'platform')
        .filter((i) => (filters.resourceId === null || i.resourceId === filters.resourceId) && (filters.tag === null || i.tag === filters.tag))
        .filter((i) => filters.resourceLinkId === null || i.resourceLinkId === filters.resourceLinkId);
      const { page, link } = paginate(list.map(lineItemJson), url, deps.state.pageSize);
      return sendJson(res, 200, page, MEDIA.lineItemContainer, link);
    }
    if (method === 'POST') {
      const clientId = auth([SCOPE.lineItem]);
      requireMedia(req, MEDIA.lineItem);
      const item = deps.ags.create(contextId, lineItemFields(parseJsonObject(call.body)), clientId);
      return sendJson(res, 201, lineItemJson(item), MEDIA.lineItem);
    }
    throw new PlatformRefusal(405, 'method_not_allowed', 'GET or POST only.');
  }

  const one = LINE_ITEM.exec(url.pathname);
  if (one !== null) {
    const id = `${deps.ags.lineItemsUrl(decodeURIComponent(one[1] as string))}/${one[2] as string}`;
    const sub = one[3];
    if (sub === '/scores') {
      if (method !== 'POST') throw new PlatformRefusal(405, 'method_not_allowed', 'POST only.');
      const clientId = auth([SCOPE.score]);
      const item = visible(deps.ags.get(id), clientId);
      requireMedia(req, MEDIA.score);
      const body = parseJsonObject(call.body);
      const grantId = deps.tokens.peekGrant(req);
      deps.ags.addScore({ at: deps.state.now(), clientId, contextId: item.contextId, lineItemId: item.id, body, ...scoreFields(body), ...(grantId === null ? {} : { grantId }) });
      res.writeHead(204).end();
      return;
    }
    if (sub === '/results') {
      if (method !== 'GET') throw new PlatformRefusal(405, 'method_not_allowed', 'GET only.');
      const item = visible(deps.ags.get(id), auth([SCOPE.resultReadonly]));
      const { page, link } = paginate(deps.ags.results(item, url.searchParams.get('user_id')), url, deps.state.pageSize);
      return sendJson(res, 200, page, MEDIA.resultContainer, link);
    }
    if (method === 'GET') {
      const item = visible(deps.ags.get(id), auth(READ_ITEMS));
      return sendJson(res, 200, lineItemJson(item), MEDIA.lineItem);
    }
    if (method === 'PUT') {
      visible(deps.ags.get(id), auth([SCOPE.lineItem]));
      requireMedia(req, MEDIA.lineItem);
      const body = parseJsonObject(call.body);
      if (body.id !== undefined && body.id !== id) throw new PlatformRefusal(400, 'invalid_lineitem', 'id does not match the URL.');
      return sendJson(res, 200, lineItemJson(deps.ags.update(id, lineItemFields(body))), MEDIA.lineItem);
    }
    if (method === 'DELETE') {
      visible(deps.ags.get(id), auth([SCOPE.lineItem]));
      deps.ags.delete(id);
      res.writeHead(204).end();
      return;
    }
    throw new PlatformRefusal(405, 'method_not_allowed', 'GET, PUT or DELETE only.');
  }

  const memberships = MEMBERSHIPS.exec(url.pathname);
  if (memberships !== null) {
    if (method !== 'GET') throw new PlatformRefusal(405, 'method_not_allowed', 'GET only.');
    auth([SCOPE.memberships]);
    const contextId = decodeURIComponent(memberships[1] as string);
    const role = url.searchParams.get('role');
    const all = (deps.members.get(contextId) ?? []).filter((m) => role === null || m.roles.some((r) => r === role || r.endsWith(`#${role}`)));
    const { page, link } = paginate(all, url, deps.state.pageSize);
    const body = { id: url.href, context: { id: contextId }, members: page };
    return sendJson(res, 200, body, MEDIA.membershipContainer, link);
  }
  throw new PlatformRefusal(404, 'not_found', 'No such service endpoint.');
}
