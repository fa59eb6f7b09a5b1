import type { Kysely } from 'kysely';
import { LTI13, LTI13_SERVICES } from '../lti/constants.js';
import { fetchOpenIdConfiguration, postRegistration, toolConfiguration, type ToolMessage } from '../lti/lti13/dynamic-registration.js';
import { HISTORY_CUSTOM_KEYS } from '../lti/lti13/id-history.js';
import { isLti13ServiceError } from '../lti/lti13/service-errors.js';
import type { ServiceHttpOptions } from '../lti/lti13/service-http.js';
import { AppError } from '../lib/errors.js';
import { publicOnlyFetch } from '../lib/public-only-fetch.js';
import type { SecretBox } from '../lib/secret-box.js';
import { findPlatformByIssuerAndClient, insertDeployment } from '../store/repositories/platforms.js';
import type { Database } from '../store/schema.js';
import { addPlatform } from './add-platform.js';
import { validateDeploymentId } from './add-deployment.js';
import { checkRegistrationUrl } from './check-registration-url.js';
import { checkRegistrationToken, consumeRegistrationToken, linkRegistrationToken } from './consume-registration-token.js';

/**
 * The custom parameters every launch of a dynamically registered tool carries: the history
 * substitution variables, so a launch in a copied course can find its ancestor's resources.
 */
export const HISTORY_CUSTOM_PARAMETERS: Record<string, string> = {
  [HISTORY_CUSTOM_KEYS.context]: '$Context.id.history',
  [HISTORY_CUSTOM_KEYS.resourceLink]: '$ResourceLink.id.history',
};

/** What the tool asks for: grades (line items, scores, results) and the roster. */
export const TOOL_SCOPES = [
  LTI13_SERVICES.scopes.lineItem,
  LTI13_SERVICES.scopes.score,
  LTI13_SERVICES.scopes.resultReadOnly,
  LTI13_SERVICES.scopes.membershipReadOnly,
];

/** The id_token claims the tool uses to show people by name and match access changes by email. */
export const TOOL_CLAIMS = ['iss', 'sub', 'name', 'given_name', 'family_name', 'email'];

export interface RegisterPlatformInput {
  /** From the platform: its OpenID configuration URL and its own one-time registration token. */
  openIdConfigurationUrl: string;
  platformRegistrationToken: string | null;
  /** Our admin-issued one-time token (`?token=`); may be null only with open registration. */
  toolToken: string | null;
  openRegistration: boolean;
  /** The tool's public origin: every URL in the registration is under it. */
  toolUrl: string;
  toolName: string;
}

export interface RegisteredPlatform {
  platformId: number;
  issuer: string;
  clientId: string;
  deploymentId: string | null;
  /** False when this (issuer, client id) was already registered and only the deployment was added. */
  created: boolean;
}

/** Refuses early, before anything is fetched: without a usable token nobody can make the tool call out. */
export async function checkRegistrationAccess(db: Kysely<Database>, toolToken: string | null, openRegistration: boolean, now: number): Promise<void> {
  if (toolToken !== null && toolToken !== '') return checkRegistrationToken(db, toolToken, now);
  if (!openRegistration) {
    throw new AppError('forbidden', 'Registering a platform needs a one-time registration URL from the tool administrator (the URL has a ?token=… part).');
  }
}

function platformWords(error: unknown): never {
  if (isLti13ServiceError(error)) throw new AppError('bad_request', `Registration failed: ${error.description}`, { cause: error });
  throw error;
}

/**
 * LTI Dynamic Registration: checks the token and the URL, reads the platform's configuration
 * (its issuer must be on the configuration URL's host), posts our tool configuration, then
 * stores the platform and the deployment it made and uses up the token. The token is used up
 * only once the platform accepted, so a platform that fails does not waste the admin's URL.
 */
export async function registerPlatform(
  db: Kysely<Database>,
  box: SecretBox,
  input: RegisterPlatformInput,
  now: number,
  http: ServiceHttpOptions = { timeoutMs: 10_000 },
): Promise<RegisteredPlatform> {
  const toolToken = input.toolToken === '' ? null : input.toolToken;
  await checkRegistrationAccess(db, toolToken, input.openRegistration, now);
  // An admin's token holder is trusted to name internal hosts (a campus LMS); an open endpoint is not.
  const configUrl = await checkRegistrationUrl(input.openIdConfigurationUrl, { refuseInternal: toolToken === null });
  const platformToken = input.platformRegistrationToken === '' ? null : input.platformRegistrationToken;
  // Open registration: every connection (the configuration, its redirects, the registration
  // endpoint the platform names) goes to a checked public address, not only the first URL.
  const calls: ServiceHttpOptions = toolToken === null && http.fetchImpl === undefined ? { ...http, fetchImpl: publicOnlyFetch() } : http;

  const config = await fetchOpenIdConfiguration(configUrl.href, platformToken, calls).catch(platformWords);
  const offered = new Set(config.messagesSupported.map((m) => m.type));
  const messages: ToolMessage[] = [
    { type: LTI13.messageTypes.resourceLink, label: input.toolName },
    { type: LTI13.messageTypes.deepLinkingRequest, label: `${input.toolName}: choose an exam` },
  ];
  // Submission review only where the platform says it sends it: strict platforms refuse unknown types.
  if (offered.has(LTI13.messageTypes.submissionReview)) messages.push({ type: LTI13.messageTypes.submissionReview });
  const supported = new Set(config.scopesSupported);
  const scopes = supported.size === 0 ? TOOL_SCOPES : TOOL_SCOPES.filter((s) => supported.has(s));
  const registration = toolConfiguration({
    toolUrl: input.toolUrl,
    name: input.toolName,
    scopes,
    claims: TOOL_CLAIMS,
    messages,
    customParameters: { ...HISTORY_CUSTOM_PARAMETERS },
    description: 'Timed SCORM and Numbas exams with grades sent back to the course.',
  });
  const answer = await postRegistration(config.registrationEndpoint, platformToken, registration, calls).catch(platformWords);
  const deploymentId = answer.deploymentId === null ? null : validateDeploymentId(answer.deploymentId);

  // Used up now: of two registrations racing on one URL, exactly one stores a platform.
  if (toolToken !== null) await consumeRegistrationToken(db, toolToken, now);
  const existing = await findPlatformByIssuerAndClient(db, config.issuer, answer.clientId);
  let platformId: number;
  if (existing) {
    // The platform registered the same client again (a re-install): keep it, add the deployment.
    platformId = existing.id;
    if (deploymentId !== null) await insertDeployment(db, platformId, deploymentId, now);
  } else {
    const stored = await addPlatform(
      db,
      box,
      {
        issuer: config.issuer,
        clientId: answer.clientId,
        authLoginUrl: config.authorizationEndpoint,
        tokenUrl: config.tokenEndpoint,
        jwksUrl: config.jwksUri,
        tokenAudience: config.tokenAudience,
        name: config.productFamilyCode ?? configUrl.host,
        deployments: deploymentId === null ? [] : [deploymentId],
      },
      now,
    );
    platformId = stored.id;
  }
  if (toolToken !== null) await linkRegistrationToken(db, toolToken, platformId);
  return { platformId, issuer: config.issuer, clientId: answer.clientId, deploymentId, created: !existing };
}
