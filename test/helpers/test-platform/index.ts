import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { JSONWebKeySet } from 'jose';
import { AgsStore, lineItemFields } from './ags-store.js';
import { makeBadToken } from './bad-tokens.js';
import { DeepLinkReturn } from './deep-link-return.js';
import { PlatformRefusal } from './http-kit.js';
import { mintIdToken } from './id-token.js';
import { type LmsLaunchInput, linkLogin, placementLogin } from './lms-launches.js';
import { authorizeUrl, loginInitiation } from './oidc.js';
import { createPlatformKeys } from './platform-keys.js';
import { Registration } from './registration.js';
import { type ServerDeps, handleRequest } from './server.js';
import { type PlatformState, addClient, findClient } from './state.js';
import { TokenService } from './token-service.js';
import type {
  Authorization,
  BadToken,
  BadTokenKind,
  DeepLinkReturnRecord,
  JsonObject,
  LaunchInput,
  LineItem,
  LoginInitiation,
  LoginInitiationInput,
  Member,
  MessageKind,
  MintedToken,
  RegistrationRecord,
  RequestRecord,
  ScoreRecord,
  TestClient,
  TestClientInput,
  TestPlatformOptions,
  TokenRequestRecord,
} from './types.js';

export { BAD_TOKEN_KINDS, VALID_VARIANTS, tamperedState } from './bad-tokens.js';
export { PlatformRefusal } from './http-kit.js';
export { CLAIM, MEDIA, MESSAGE, ROLE, SCOPE } from './lti-names.js';
export type { LmsLaunchInput } from './lms-launches.js';
export { STORAGE_FRAME_NAME } from './storage-pages.js';
export type * from './types.js';

/**
 * A test LTI 1.3 platform over real HTTP on 127.0.0.1, built on `jose` (code this project did
 * not write): it signs launches, checks the tool's redirects, client assertions and deep linking
 * responses, and serves AGS, NRPS, dynamic registration and platform storage like an LMS.
 */
export interface TestPlatform {
  /** Issuer and origin, http://127.0.0.1:PORT. */
  readonly issuer: string;
  readonly origin: string;
  readonly jwksUrl: string;
  readonly authUrl: string;
  readonly tokenUrl: string;
  /** The audience client assertions must carry (options.tokenAudience or tokenUrl). */
  readonly tokenAudience: string;
  readonly openidConfigurationUrl: string;
  readonly registrationEndpoint: string;
  readonly deepLinkReturnUrl: string;
  readonly storageFrameUrl: string;

  addClient(input: TestClientInput): TestClient;
  /** The registered client (by id, or the first one); a live object, so tests may edit it. */
  client(clientId?: string): TestClient;
  clients(): TestClient[];
  jwks(): JSONWebKeySet;
  /** Signs new tokens with a new key; the old one stays published unless dropOld. Returns the new kid. */
  rotateKey(options?: { dropOld?: boolean }): Promise<string>;
  /** How many times /jwks was fetched. */
  jwksFetches(): number;

  loginInitiation(input: LoginInitiationInput): LoginInitiation;
  /** A platform page (storage frame + tool iframe) that starts this login in the browser. */
  launchFrameUrl(input: LoginInitiationInput): string;
  /**
   * The login initiation an LMS sends for a placement of a registered client (a deep linking
   * request from "Add content", say): the client's login URL, the target_link_uri it registered
   * for that message, its tool-level custom parameters substituted, its first deployment.
   */
  placementLogin(kind: MessageKind, input: LmsLaunchInput & { clientId?: string }): LoginInitiation;
  /** The login initiation when someone opens a link the platform made from a deep linking response (its URL, custom, line item). */
  linkLogin(resourceLinkId: string, input: LmsLaunchInput): LoginInitiation;
  /** What /auth does for the tool's redirect URL, without HTML. Throws PlatformRefusal. */
  authorize(request: string | URL | URLSearchParams): Promise<Authorization>;
  mintIdToken(input?: LaunchInput): Promise<MintedToken>;
  /** One certification defect; pass the real login's nonce and state (see bad-tokens.ts). */
  badToken(kind: BadTokenKind, input?: LaunchInput & { state?: string }): Promise<BadToken>;

  lineItemsUrl(contextId: string): string;
  /** A line item made by the platform (visible to every client), as a gradebook column made in the LMS. */
  createLineItem(contextId: string, item: JsonObject): LineItem;
  lineItems(contextId?: string): LineItem[];
  scores(filter?: { lineItemId?: string; userId?: string }): ScoreRecord[];
  /** The AGS result JSON of a line item, as GET /results answers. */
  results(lineItemId: string): JsonObject[];
  setMembers(contextId: string, members: Member[]): void;

  registrationLaunchUrl(toolRegisterUrl: string): string;
  tamperOpenidConfiguration(fn: ((config: JsonObject) => void) | null): void;
  registrations(): RegistrationRecord[];
  deepLinkReturns(): DeepLinkReturnRecord[];

  authRequests(): RequestRecord[];
  tokenRequests(): TokenRequestRecord[];
  serviceRequests(): RequestRecord[];
  /** Visits to launch_presentation return_url, with their query (lti_msg, lti_errormsg…). */
  returns(): Array<{ at: number; query: Record<string, string> }>;
  /** The next `n` token or service requests answer `status` (default 503). */
  failNext(n: number, status?: number): void;
  /** Every bearer token issued so far expires now. */
  expireTokens(): void;
  close(): Promise<void>;
}

export async function startTestPlatform(options: TestPlatformOptions = {}): Promise<TestPlatform> {
  let deps: ServerDeps | null = null;
  const server = createServer((req, res) => {
    if (deps === null) return void res.writeHead(503).end();
    handleRequest(deps, req, res).catch((error: unknown) => {
      const status = error instanceof PlatformRefusal ? error.status : 500;
      if (!res.headersSent) res.writeHead(status, { 'Content-Type': 'text/plain' }).end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const state: PlatformState = {
    origin,
    now: options.now ?? Date.now,
    keys: await createPlatformKeys(),
    pageSize: options.pageSize ?? 10,
    tokenTtlSeconds: options.tokenTtlSeconds ?? 3600,
    tokenAudience: options.tokenAudience ?? `${origin}/token`,
    idTokenTtlSeconds: options.idTokenTtlSeconds ?? 300,
    clients: new Map(),
    pendingLogins: new Map(),
    deepLinkRequests: new Map(),
    toolOrigins: new Set(),
    lastNonce: null,
  };
  for (const client of options.clients ?? []) addClient(state, client);
  const ags = new AgsStore(origin);
  const tokens = new TokenService(state);
  const d: ServerDeps = {
    state,
    ags,
    tokens,
    members: new Map(Object.entries(options.members ?? {})),
    registration: new Registration(state),
    deepLinks: new DeepLinkReturn(state, ags, tokens),
    authRecords: [],
    tokenRecords: [],
    serviceRecords: [],
    returnRecords: [],
    launchFrames: new Map(),
    counters: { jwksFetches: 0 },
    failures: { count: 0, status: 503 },
  };
  deps = d;
  const copy = <T extends object>(list: T[]): T[] => list.map((r) => ({ ...r }));

  return {
    issuer: origin,
    origin,
    jwksUrl: `${origin}/jwks`,
    authUrl: `${origin}/auth`,
    tokenUrl: `${origin}/token`,
    tokenAudience: state.tokenAudience,
    openidConfigurationUrl: d.registration.configurationUrl,
    registrationEndpoint: `${origin}/register`,
    deepLinkReturnUrl: `${origin}/deep-link-return`,
    storageFrameUrl: `${origin}/storage-frame`,
    addClient: (input) => addClient(state, input),
    client: (clientId) => findClient(state, clientId),
    clients: () => [...state.clients.values()],
    jwks: () => state.keys.jwks(),
    rotateKey: (opts) => state.keys.rotate(opts?.dropOld ?? false),
    jwksFetches: () => d.counters.jwksFetches,
    loginInitiation: (input) => loginInitiation(state, input),
    launchFrameUrl: (input) => {
      const id = String(d.launchFrames.size + 1);
      d.launchFrames.set(id, loginInitiation(state, input));
      return `${origin}/launch-frame?id=${id}`;
    },
    placementLogin: (kind, input) => loginInitiation(state, placementLogin(state, d.registration.records(), input.clientId, kind, input)),
    linkLogin: (resourceLinkId, input) =>
      loginInitiation(state, linkLogin(state, d.registration.records(), d.deepLinks.records(), resourceLinkId, input)),
    authorize: (request) => authorizeUrl(state, ags, d.authRecords, request),
    mintIdToken: (input = {}) => mintIdToken(state, ags, input),
    badToken: (kind, input) => makeBadToken(state, ags, kind, input),
    lineItemsUrl: (contextId) => ags.lineItemsUrl(contextId),
    createLineItem: (contextId, item) => ags.create(contextId, lineItemFields(item), 'platform'),
    lineItems: (contextId) => ags.list(contextId),
    scores: (filter = {}) =>
      ags.scores().filter((s) => (filter.lineItemId === undefined || s.lineItemId === filter.lineItemId) && (filter.userId === undefined || s.userId === filter.userId)),
    results: (lineItemId) => {
      const item = ags.get(lineItemId);
      if (item === undefined) throw new Error(`Test platform: no line item ${lineItemId}.`);
      return ags.results(item, null);
    },
    setMembers: (contextId, members) => void d.members.set(contextId, members),
    registrationLaunchUrl: (toolRegisterUrl) => d.registration.launchUrl(toolRegisterUrl),
    tamperOpenidConfiguration: (fn) => d.registration.tamperConfiguration(fn),
    registrations: () => d.registration.records(),
    deepLinkReturns: () => d.deepLinks.records(),
    authRequests: () => copy(d.authRecords),
    tokenRequests: () => copy(d.tokenRecords),
    serviceRequests: () => copy(d.serviceRecords),
    returns: () => copy(d.returnRecords),
    failNext: (n, status = 503) => {
      d.failures.count = n;
      d.failures.status = status;
    },
    expireTokens: () => tokens.expireAll(),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
