import { TOOL_CONFIGURATION } from './lti-names.js';
import { findClient, type PlatformState } from './state.js';
import type { ContextClaim, DeepLinkReturnRecord, JsonObject, LaunchInput, LoginInitiationInput, MessageKind, RegistrationRecord, TestClient } from './types.js';

/** Who opens a placement or a link, and from where; the rest comes from what the platform recorded. */
export interface LmsLaunchInput {
  loginHint: string;
  messageHint: string;
  method?: 'GET' | 'POST';
  sub?: string;
  roles?: string[];
  person?: LaunchInput['person'];
  /** The course; for a link it must be the link's course (its id is checked). */
  context?: ContextClaim;
  /** Extra launch settings (deepLinking data, nrps…), applied under what the platform decides. */
  launch?: LaunchInput;
}

const MESSAGE_TYPES: Record<MessageKind, string> = {
  resource_link: 'LtiResourceLinkRequest',
  deep_linking: 'LtiDeepLinkingRequest',
  submission_review: 'LtiSubmissionReviewRequest',
};

/** The tool configuration a client sent when it registered itself, or null for a client added by hand. */
function toolConfiguration(registrations: RegistrationRecord[], clientId: string): JsonObject | null {
  const record = registrations.find((r) => r.accepted && r.clientId === clientId);
  const tool = record?.request?.[TOOL_CONFIGURATION];
  return typeof tool === 'object' && tool !== null ? (tool as JsonObject) : null;
}

/** The target_link_uri the tool registered for a message type, else its default one. */
function targetFor(client: TestClient, tool: JsonObject | null, kind: MessageKind): string {
  const messages = Array.isArray(tool?.messages) ? (tool.messages as JsonObject[]) : [];
  const own = messages.find((m) => m.type === MESSAGE_TYPES[kind])?.target_link_uri;
  const target = typeof own === 'string' ? own : (client.targetLinkUri ?? client.redirectUris[0]);
  if (target === undefined) throw new Error(`Test platform: client ${client.clientId} has no target link URI.`);
  return target;
}

/**
 * The tool-level custom parameters, with the substitution variables this platform supports
 * filled in as a platform does for a link with no copy history (an empty value); other `$…`
 * values are sent back as they are, which is how a platform says it does not know a variable.
 */
function substitutedCustom(tool: JsonObject | null): Record<string, string> {
  const raw = tool?.custom_parameters;
  if (typeof raw !== 'object' || raw === null) return {};
  const known: Record<string, string> = { '$Context.id.history': '', '$ResourceLink.id.history': '', '$ResourceLink.submission.endDateTime': '' };
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw as Record<string, unknown>)) {
    if (typeof value !== 'string') continue;
    out[name] = Object.hasOwn(known, value) ? (known[value] as string) : value;
  }
  return out;
}

function clientLoginUrl(client: TestClient): string {
  if (client.loginUrl === null) throw new Error(`Test platform: client ${client.clientId} has no login URL.`);
  return client.loginUrl;
}

/**
 * The login initiation for a placement of a registered tool (say, "Add an exam" in a course,
 * a deep linking request): the tool's login URL and the target_link_uri it registered for that
 * message, the tool-level custom parameters, and its first deployment.
 */
export function placementLogin(
  state: PlatformState,
  registrations: RegistrationRecord[],
  clientId: string | undefined,
  kind: MessageKind,
  input: LmsLaunchInput,
): LoginInitiationInput {
  const client = findClient(state, clientId);
  const tool = toolConfiguration(registrations, client.clientId);
  const targetLinkUri = targetFor(client, tool, kind);
  const deploymentId = client.deploymentIds[0];
  if (deploymentId === undefined) throw new Error(`Test platform: client ${client.clientId} has no deployment.`);
  return initiation(client, deploymentId, targetLinkUri, input, {
    kind,
    custom: { ...substitutedCustom(tool), ...input.launch?.custom },
    ...(input.context === undefined ? {} : { context: input.context }),
  });
}

/**
 * The login initiation for a client: what the LMS decided about the message (`message`) over
 * the caller's extra launch settings, then the client, deployment and target, then who launches.
 */
function initiation(client: TestClient, deploymentId: string, targetLinkUri: string, input: LmsLaunchInput, message: LaunchInput): LoginInitiationInput {
  return {
    toolLoginUrl: clientLoginUrl(client),
    targetLinkUri,
    loginHint: input.loginHint,
    messageHint: input.messageHint,
    method: input.method ?? 'GET',
    clientId: client.clientId,
    deploymentId,
    launch: {
      ...input.launch,
      ...message,
      clientId: client.clientId,
      deploymentId,
      targetLinkUri,
      ...(input.sub === undefined ? {} : { sub: input.sub }),
      ...(input.roles === undefined ? {} : { roles: input.roles }),
      ...(input.person === undefined ? {} : { person: input.person }),
    },
  };
}

/**
 * The login initiation when someone opens a resource link made from a deep linking response:
 * the link's URL as target, its custom parameters over the tool-level ones, its id, and in the
 * AGS claim the line item the platform made from the item's declared lineItem.
 */
export function linkLogin(
  state: PlatformState,
  registrations: RegistrationRecord[],
  returns: DeepLinkReturnRecord[],
  resourceLinkId: string,
  input: LmsLaunchInput,
): LoginInitiationInput {
  const record = returns.find((r) => r.accepted && r.links.some((l) => l.resourceLinkId === resourceLinkId));
  const link = record?.links.find((l) => l.resourceLinkId === resourceLinkId);
  if (record === undefined || link === undefined || record.clientId === null || record.deploymentId === null) {
    throw new Error(`Test platform: no resource link ${resourceLinkId} was made by deep linking.`);
  }
  if (link.contextId === null) throw new Error(`Test platform: resource link ${resourceLinkId} is in no course.`);
  if (input.context !== undefined && input.context.id !== link.contextId) {
    throw new Error(`Test platform: resource link ${resourceLinkId} is in course ${link.contextId}, not ${input.context.id}.`);
  }
  const client = findClient(state, record.clientId);
  const tool = toolConfiguration(registrations, client.clientId);
  const targetLinkUri = link.url ?? targetFor(client, tool, 'resource_link');
  return initiation(client, record.deploymentId, targetLinkUri, input, {
    kind: 'resource_link',
    context: input.context ?? { id: link.contextId },
    resourceLink: { id: link.resourceLinkId, ...(link.title === null ? {} : { title: link.title }) },
    custom: { ...substitutedCustom(tool), ...link.custom },
    ...(link.lineItemId === null ? {} : { ags: { ...input.launch?.ags, lineitem: link.lineItemId } }),
  });
}
