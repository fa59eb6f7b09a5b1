import { decodeJwt, errors, jwtVerify } from 'jose';
import type { AgsStore } from './ags-store.js';
import { PlatformRefusal } from './http-kit.js';
import { CLAIM, MESSAGE } from './lti-names.js';
import type { PlatformState } from './state.js';
import type { TokenService } from './token-service.js';
import type { CreatedLink, DeepLinkReturnRecord, JsonObject } from './types.js';

function text(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

/**
 * Reads the tool's LtiDeepLinkingResponse (form field JWT) as an LMS does: verified with jose
 * against the tool's JWKS; iss = client_id, aud = this platform, a fresh nonce, the message type,
 * version and a deployment of that client; `data` echoed from the request. Each ltiResourceLink
 * becomes a resource link in the request's context, with a line item when one is declared.
 */
export class DeepLinkReturn {
  private readonly usedNonces = new Set<string>();
  private readonly log: DeepLinkReturnRecord[] = [];
  private linkSequence = 0;

  constructor(
    private readonly state: PlatformState,
    private readonly ags: AgsStore,
    private readonly tokens: TokenService,
  ) {}

  records(): DeepLinkReturnRecord[] {
    return this.log.map((r) => ({ ...r, items: [...r.items], links: [...r.links] }));
  }

  async receive(jwt: string | undefined): Promise<DeepLinkReturnRecord> {
    const record: DeepLinkReturnRecord = {
      at: this.state.now(),
      accepted: false,
      detail: null,
      clientId: null,
      deploymentId: null,
      contextId: null,
      data: null,
      items: [],
      links: [],
      msg: null,
      errormsg: null,
      payload: null,
    };
    this.log.push(record);
    try {
      await this.check(jwt, record);
      record.accepted = true;
      return record;
    } catch (error) {
      record.detail = error instanceof Error ? error.message : String(error);
      throw error;
    }
  }

  private async check(jwt: string | undefined, record: DeepLinkReturnRecord): Promise<void> {
    const refuse = (message: string): never => {
      throw new PlatformRefusal(400, 'invalid_deep_linking_response', message);
    };
    if (jwt === undefined || jwt === '') refuse('The JWT form field is missing.');
    let issuer: unknown;
    try {
      issuer = decodeJwt(jwt as string).iss;
    } catch {
      refuse('JWT is not a JWT.');
    }
    const client = typeof issuer === 'string' ? this.state.clients.get(issuer) : undefined;
    if (client === undefined) return refuse(`iss "${String(issuer)}" is not a registered client_id.`);
    record.clientId = client.clientId;
    if (client.toolJwksUrl === null) refuse('No JWKS URL is registered for this client.');
    let payload: JsonObject;
    try {
      ({ payload } = await jwtVerify(jwt as string, this.tokens.jwks(client.toolJwksUrl as string), {
        algorithms: ['RS256'],
        issuer: client.clientId,
        audience: this.state.origin,
        requiredClaims: ['iat', 'exp', 'nonce'],
        currentDate: new Date(this.state.now()),
        clockTolerance: 5,
      }));
    } catch (error) {
      return refuse(`JWT refused (${error instanceof errors.JOSEError ? `${error.code}: ${error.message}` : String(error)}).`);
    }
    record.payload = payload;
    if (payload[CLAIM.messageType] !== MESSAGE.deepLinkingResponse) refuse(`message_type must be ${MESSAGE.deepLinkingResponse}.`);
    if (payload[CLAIM.version] !== '1.3.0') refuse('version must be 1.3.0.');
    const deploymentId = text(payload[CLAIM.deploymentId]);
    if (deploymentId === null || !client.deploymentIds.includes(deploymentId)) refuse('deployment_id is not a deployment of this client.');
    record.deploymentId = deploymentId;
    const nonceKey = `${client.clientId} ${String(payload.nonce)}`;
    if (this.usedNonces.has(nonceKey)) refuse('nonce was already used.');
    this.usedNonces.add(nonceKey);

    const data = text(payload[CLAIM.dlData]);
    record.data = data;
    const request = data === null ? undefined : this.state.deepLinkRequests.get(data);
    if (data !== null && request === undefined) refuse('data does not echo a deep linking request of this platform.');
    if (data === null && [...this.state.deepLinkRequests.values()].some((r) => r.clientId === client.clientId)) {
      refuse('data from the deep linking request is not echoed.');
    }
    if (request !== undefined && (request.clientId !== client.clientId || request.deploymentId !== deploymentId)) {
      refuse('The response does not come from the client and deployment of the request.');
    }
    record.msg = text(payload[CLAIM.dlMsg]);
    record.errormsg = text(payload[CLAIM.dlErrorMsg]);
    const items = payload[CLAIM.dlContentItems] ?? [];
    if (!Array.isArray(items)) return refuse('content_items must be an array.');
    record.items = items as JsonObject[];
    record.contextId = request?.contextId ?? null;
    for (const item of record.items) {
      if (typeof item !== 'object' || item === null || typeof item.type !== 'string') refuse('Every content item needs a type.');
      if (item.type === 'ltiResourceLink') record.links.push(this.createLink(item, record.contextId, client.clientId, request?.acceptLineItem ?? true));
    }
  }

  private createLink(item: JsonObject, contextId: string | null, clientId: string, acceptLineItem: boolean): CreatedLink {
    this.linkSequence++;
    const resourceLinkId = `resource-link-${this.linkSequence}`;
    const custom = typeof item.custom === 'object' && item.custom !== null ? (item.custom as Record<string, string>) : {};
    let lineItemId: string | null = null;
    const declared = item.lineItem;
    if (declared !== undefined && acceptLineItem && contextId !== null) {
      if (typeof declared !== 'object' || declared === null) throw new PlatformRefusal(400, 'invalid_deep_linking_response', 'lineItem must be an object.');
      const li = declared as JsonObject;
      if (typeof li.scoreMaximum !== 'number' || li.scoreMaximum <= 0) {
        throw new PlatformRefusal(400, 'invalid_deep_linking_response', 'lineItem.scoreMaximum must be a number > 0.');
      }
      const fields = {
        label: text(li.label) ?? text(item.title) ?? 'Untitled',
        scoreMaximum: li.scoreMaximum,
        resourceLinkId,
        ...(text(li.resourceId) === null ? {} : { resourceId: text(li.resourceId) as string }),
        ...(text(li.tag) === null ? {} : { tag: text(li.tag) as string }),
      };
      lineItemId = this.ags.create(contextId, fields, clientId).id;
    }
    return { resourceLinkId, contextId, title: text(item.title), url: text(item.url), custom, lineItemId };
  }
}
