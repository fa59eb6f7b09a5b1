import { ALL_SERVICE_SCOPES } from './lti-names.js';
import type { PlatformKeys } from './platform-keys.js';
import type { LaunchInput, TestClient, TestClientInput } from './types.js';

/** A login initiation the platform sent, found again at /auth by its message hint. */
export interface PendingLogin {
  loginHint: string;
  messageHint: string;
  clientId: string;
  deploymentId: string;
  targetLinkUri: string;
  storageTarget: string | null;
  launch: LaunchInput;
}

/** A deep linking request the platform minted, found again by its `data` on return. */
export interface DeepLinkRequest {
  data: string;
  clientId: string;
  deploymentId: string;
  contextId: string | null;
  acceptLineItem: boolean;
}

/** What the platform's parts share. Internal to test-platform/. */
export interface PlatformState {
  readonly origin: string;
  readonly now: () => number;
  readonly keys: PlatformKeys;
  readonly pageSize: number;
  readonly tokenTtlSeconds: number;
  readonly tokenAudience: string;
  readonly idTokenTtlSeconds: number;
  readonly clients: Map<string, TestClient>;
  readonly pendingLogins: Map<string, PendingLogin>;
  readonly deepLinkRequests: Map<string, DeepLinkRequest>;
  /** Origins of tool pages allowed to use the storage frame (login URLs seen, registered redirect URIs). */
  readonly toolOrigins: Set<string>;
  lastNonce: string | null;
}

export function makeClient(input: TestClientInput): TestClient {
  return {
    clientId: input.clientId,
    deploymentIds: input.deploymentIds ?? ['deployment-1'],
    redirectUris: input.redirectUris ?? [],
    loginUrl: input.loginUrl ?? null,
    toolJwksUrl: input.toolJwksUrl ?? null,
    allowedScopes: input.allowedScopes ?? [...ALL_SERVICE_SCOPES],
    targetLinkUri: input.targetLinkUri ?? null,
  };
}

export function addClient(state: PlatformState, input: TestClientInput): TestClient {
  const client = makeClient(input);
  state.clients.set(client.clientId, client);
  for (const url of [...client.redirectUris, client.loginUrl, client.targetLinkUri]) {
    if (url !== null) state.toolOrigins.add(new URL(url).origin);
  }
  return client;
}

/** The named client, or the only/first one when no id is given. Throws for a test mistake. */
export function findClient(state: PlatformState, clientId: string | undefined): TestClient {
  if (clientId !== undefined) {
    const client = state.clients.get(clientId);
    if (client === undefined) throw new Error(`Test platform: no client "${clientId}" is registered.`);
    return client;
  }
  const first = state.clients.values().next();
  if (first.done === true) throw new Error('Test platform: register a client first (options.clients or addClient).');
  return first.value;
}
