import { DEEP_LINKING_PLACEHOLDER_PREFIX } from '../store/repositories/deep-linking-placeholders.js';
import type { Kysely } from 'kysely';
import { bindLinkToResource, RESOURCE_ID_CUSTOM } from './bind-link-to-resource.js';
import { AppError } from '../lib/errors.js';
import type { SecretBox } from '../lib/secret-box.js';
import { LTI13 } from '../lti/constants.js';
import { HISTORY_CUSTOM_KEYS, parseIdHistory } from '../lti/lti13/id-history.js';
import type { JwksCache } from '../lti/lti13/jwks-cache.js';
import { type Lti13Message, validateLaunch } from '../lti/lti13/launch-pipeline.js';
import { verifyLti1p1Signature } from '../lti/lti13/lti1p1.js';
import { Lti13Error } from '../lti/lti13/lti13-error.js';
import { isInstructor } from '../lti/roles.js';
import { findConsumerByKey } from '../store/repositories/consumers.js';
import { insertLaunch, upsertContext, upsertResourceLink, upsertUser } from '../store/repositories/launch-records.js';
import { adoptResource, findAncestorResource, findLinkByLtiId, insertLaunchServices, lti13NonceSeen } from '../store/repositories/lti13-launch-records.js';
import { findPlatformsByIssuer, hasDeployment } from '../store/repositories/platforms.js';
import type { Database } from '../store/schema.js';
import type { LaunchRole } from '../store/tables/launches.js';
import type { SessionMessage } from '../domain/session-token.js';
import { consumeLti13Nonce } from './consume-lti13-nonce.js';

export interface Lti13LaunchRequest {
  idToken: string;
  /** The signed login state the platform posted back. */
  state: string;
  /** What the browser kept of the state (cookie or platform storage); null when it kept nothing. */
  browserState: string | null;
  userAgent: string | null;
}

export interface Lti13LaunchDeps {
  box: SecretBox;
  jwks: Pick<JwksCache, 'key'>;
  stateKey: Buffer;
  instructorRoles: readonly string[];
}

export interface AcceptedLti13Launch {
  launchId: number;
  /** The tenant: the platform's, or the LTI 1.1 consumer a verified lti1p1 claim named. */
  consumerId: number;
  userId: number;
  resourceLinkId: number;
  contextId: number | null;
  role: LaunchRole;
  sessionMessage: SessionMessage;
  /** True when a verified lti1p1 claim mapped this launch onto an LTI 1.1 consumer's records. */
  migrated: boolean;
  message: Lti13Message;
}


const SESSION_MESSAGES: Record<Lti13Message['messageType'], SessionMessage> = {
  [LTI13.messageTypes.resourceLink]: 'resource-link',
  [LTI13.messageTypes.deepLinkingRequest]: 'deep-linking',
  [LTI13.messageTypes.submissionReview]: 'submission-review',
};

interface Identity {
  consumerId: number;
  userId: string;
  contextId: string | null;
  linkId: string | null;
  migrated: boolean;
}

/**
 * The lti1p1 claim maps this launch onto the records an LTI 1.1 consumer already holds, so a
 * course migrated from LTI 1.1 keeps its users, links and attempts: the launch is recorded in
 * that consumer's tenant under the 1.1 user, link and context ids. Only a claim signed with the
 * consumer's secret over this very launch counts; any other claim is ignored (the launch then
 * stays in the platform's own tenant), since a platform that merely names a key proves nothing.
 */
async function identityOf(db: Kysely<Database>, box: SecretBox, message: Lti13Message): Promise<Identity> {
  const own: Identity = {
    consumerId: message.platform.consumer_id,
    userId: message.sub,
    contextId: message.context?.id ?? null,
    linkId: message.resourceLink?.id ?? null,
    migrated: false,
  };
  const claim = message.lti1p1;
  if (claim === null || claim.oauthConsumerKey === null) return own;
  const consumer = await findConsumerByKey(db, claim.oauthConsumerKey);
  if (!consumer || consumer.lti13_only === 1) return own;
  const verified = verifyLti1p1Signature(claim, {
    consumerSecret: box.open(consumer.secret_sealed),
    deploymentId: message.deploymentId,
    iss: message.token.iss,
    clientId: message.token.clientId,
    exp: message.token.exp,
    nonce: message.token.nonce,
  });
  if (!verified) return own;
  // The claim names the 1.1 ids only where they differ from the 1.3 ones.
  return {
    consumerId: consumer.id,
    userId: claim.userId ?? message.sub,
    contextId: message.context ? (claim.contextId ?? message.context.id) : null,
    linkId: message.resourceLink ? (claim.resourceLinkId ?? message.resourceLink.id) : null,
    migrated: true,
  };
}

function personOf(message: Lti13Message) {
  const p = message.person;
  return { given: p.given, family: p.family, full: p.name, email: p.email, username: p.username };
}

/**
 * Accepts an LTI 1.3 launch: runs the ordered validation pipeline (nothing is written while it
 * runs), then in one transaction records the nonce, upserts context, user and link in the
 * tenant, adopts an ancestor link's resource for a link new in a copied course, and records
 * the launch with its services. A replayed nonce rolls it all back.
 */
export async function launchLti13(db: Kysely<Database>, deps: Lti13LaunchDeps, request: Lti13LaunchRequest, now: number): Promise<AcceptedLti13Launch> {
  const message = await validateLaunch(
    { idToken: request.idToken, state: request.state, stateKey: deps.stateKey, browserState: request.browserState },
    {
      findPlatforms: (issuer, clientIds) => findPlatformsByIssuer(db, issuer, clientIds),
      jwks: deps.jwks,
      // Only looked up here; the nonce is recorded in the launch transaction, so a refused
      // launch stores nothing and two racing launches still cannot both win (primary key).
      consumeNonce: async (platformId, nonce) => !(await lti13NonceSeen(db, platformId, nonce, now)),
      knownDeployment: (platformId, deploymentId) => hasDeployment(db, platformId, deploymentId),
      now,
    },
  );
  const identity = await identityOf(db, deps.box, message);
  const role: LaunchRole = isInstructor(message.roles, deps.instructorRoles) ? 'instructor' : 'student';
  const sessionMessage = SESSION_MESSAGES[message.messageType];
  const nonceExpiresAt = message.token.exp * 1000 + 60_000;
  const linkHistory = parseIdHistory(message.custom[HISTORY_CUSTOM_KEYS.resourceLink]);

  return db.transaction().execute(async (trx) => {
    if (!(await consumeLti13Nonce(trx, message.platform.id, message.token.nonce, nonceExpiresAt, now))) {
      throw new Lti13Error('nonce_replayed', 'This launch has already been used (nonce replay). Please launch again from the course.');
    }
    const c = message.context;
    const contextId =
      c && identity.contextId !== null
        ? await upsertContext(trx, identity.consumerId, { id: identity.contextId, title: c.title, label: c.label, type: c.type.length > 0 ? c.type.join(',') : null }, now)
        : null;
    const userId = await upsertUser(trx, identity.consumerId, identity.userId, personOf(message), now);
    // Deep linking requests name no link: their session hangs off one placeholder link per context.
    const ltiLinkId = identity.linkId ?? `${DEEP_LINKING_PLACEHOLDER_PREFIX}${identity.contextId ?? ''}`;
    const existing = linkHistory.length > 0 ? await findLinkByLtiId(trx, identity.consumerId, ltiLinkId) : undefined;
    const link = message.resourceLink;
    const resourceLinkId = await upsertResourceLink(
      trx,
      identity.consumerId,
      contextId,
      { id: ltiLinkId, title: link?.title ?? null, description: link?.description ?? null },
      now,
    );
    // A link that opens nothing yet, in a course copied from one where an ancestor link had an exam.
    // Only a link the LMS placed adopts an exam; a deep linking placeholder never opens one.
    if (link && linkHistory.length > 0 && (existing === undefined || existing.resource_id === null)) {
      const ancestor = await findAncestorResource(trx, identity.consumerId, linkHistory.filter((id) => id !== ltiLinkId));
      if (ancestor !== null) await adoptResource(trx, resourceLinkId, ancestor, now);
    }
    // A link made by deep linking names the exam the instructor chose (custom resource_id).
    if (link) await bindLinkToResource(trx, { consumerId: identity.consumerId, contextId, resourceLinkId, customResourceId: message.custom[RESOURCE_ID_CUSTOM] });
    const launchId = await insertLaunch(trx, {
      consumer_id: identity.consumerId,
      user_id: userId,
      resource_link_id: resourceLinkId,
      context_id: contextId,
      role,
      roles_raw: message.roles.join(','),
      lti_version: LTI13.version,
      user_agent: request.userAgent,
      outcome_service_url: null,
      result_sourcedid: null,
      ext_outcome_url: null,
      return_url: message.launchPresentation?.returnUrl ?? null,
      locale: message.launchPresentation?.locale ?? null,
      created_at: now,
    });
    await insertLaunchServices(trx, {
      launch_id: launchId,
      platform_id: message.platform.id,
      deployment_id: message.deploymentId,
      ags_lineitem_url: message.ags?.lineitem ?? null,
      ags_lineitems_url: message.ags?.lineitems ?? null,
      ags_scopes: message.ags && message.ags.scopes.length > 0 ? message.ags.scopes.join(' ') : null,
      nrps_url: message.nrps?.url ?? null,
      // The services know the student by this, even when the launch was recorded under an LTI 1.1 user.
      subject: message.sub,
    });
    return { launchId, consumerId: identity.consumerId, userId, resourceLinkId, contextId, role, sessionMessage, migrated: identity.migrated, message };
  });
}

/** The refusal an LTI 1.3 launch error becomes, with the HTTP-free code the error map knows. */
export function lti13Refusal(error: Lti13Error): AppError {
  const code =
    error.code === 'unknown_platform' || error.code === 'platform_mismatch'
      ? 'lti13_unknown_platform'
      : error.code === 'platform_disabled'
        ? 'lti13_platform_disabled'
        : error.code === 'nonce_replayed'
          ? 'lti13_replayed_nonce'
          : 'lti13_refused';
  return new AppError(code, error.message, { cause: error });
}
