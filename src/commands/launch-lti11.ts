import type { Kysely } from 'kysely';
import { AppError } from '../lib/errors.js';
import type { SecretBox } from '../lib/secret-box.js';
import { checkLaunchMessage, type Lti11Launch } from '../lti/lti11/launch-message.js';
import { verifySignature } from '../lti/oauth1/index.js';
import { isInstructor } from '../lti/roles.js';
import { findConsumerByKey } from '../store/repositories/consumers.js';
import { insertLaunch, upsertContext, upsertResourceLink, upsertUser } from '../store/repositories/launch-records.js';
import { recordNonce } from '../store/repositories/lti-nonces.js';
import type { Database } from '../store/schema.js';
import type { LaunchRole } from '../store/tables/launches.js';

/** How far an OAuth timestamp may be from our clock, either way. */
export const TIMESTAMP_SKEW_SECONDS = 300;

export interface LaunchRequest {
  method: string;
  /** The URL the consumer signed: our public origin plus the request path. */
  url: string;
  /** Every parameter the request carried: body, query and Authorization header. */
  params: ReadonlyArray<readonly [string, string]>;
  userAgent: string | null;
}

export interface AcceptedLaunch {
  launchId: number;
  consumerId: number;
  userId: number;
  resourceLinkId: number;
  contextId: number | null;
  role: LaunchRole;
  message: Lti11Launch;
}

/** The message fields, one value per name (the last, if the consumer repeated one). */
function lastValues(params: ReadonlyArray<readonly [string, string]>): Map<string, string> {
  return new Map(params.map(([k, v]) => [k, v] as [string, string]));
}

/**
 * Accepts an LTI 1.1 basic launch. Checks run in order (message, consumer, signature,
 * timestamp), all before anything is written; the nonce is then recorded in the same
 * transaction as the user, context, link and launch, so a replay changes nothing.
 */
export async function launchLti11(
  db: Kysely<Database>,
  box: SecretBox,
  instructorRoles: readonly string[],
  request: LaunchRequest,
  now: number,
): Promise<AcceptedLaunch> {
  const checked = checkLaunchMessage(lastValues(request.params));
  if (!checked.ok) throw new AppError('lti_invalid_launch', checked.message);
  const message = checked.launch;

  const found = await findConsumerByKey(db, message.consumerKey);
  // The tenant of an LTI 1.3 platform has no secret anyone knows: refused exactly like an unknown key.
  const consumer = found && found.lti13_only !== 1 ? found : undefined;
  if (!consumer) {
    throw new AppError('lti_unknown_consumer', `The consumer key "${message.consumerKey}" is not registered with this tool. Ask the tool's administrator for a key and secret.`);
  }
  if (consumer.disabled_at !== null) {
    throw new AppError('lti_consumer_disabled', `The consumer "${consumer.key}" has been disabled by the tool's administrator.`);
  }

  const signature = verifySignature({
    method: request.method,
    url: request.url,
    params: request.params,
    consumerSecret: box.open(consumer.secret_sealed),
    nowSeconds: Math.floor(now / 1000),
    maxSkewSeconds: TIMESTAMP_SKEW_SECONDS,
  });
  if (!signature.ok) {
    throw new AppError(signature.reason === 'stale_timestamp' ? 'lti_stale_timestamp' : signature.reason === 'bad_signature' ? 'lti_bad_signature' : 'lti_invalid_launch', signature.message);
  }

  const role: LaunchRole = isInstructor(message.roles, instructorRoles) ? 'instructor' : 'student';
  // A nonce must stay refused for as long as its timestamp could still pass the skew check.
  const nonceExpiresAt = (signature.timestamp + TIMESTAMP_SKEW_SECONDS) * 1000 + 60_000;

  return db.transaction().execute(async (trx) => {
    if (!(await recordNonce(trx, consumer.id, signature.nonce, nonceExpiresAt))) {
      throw new AppError('lti_replayed_nonce', 'This launch has already been used. Open the link from your course again.');
    }
    const contextId = message.context ? await upsertContext(trx, consumer.id, message.context, now) : null;
    // No user_id: an anonymous launch. Each one is its own user, since nothing ties it to another.
    const ltiUserId = message.userId ?? `anonymous:${signature.nonce}:${signature.timestamp}`;
    const userId = await upsertUser(trx, consumer.id, ltiUserId, message.person, now);
    const resourceLinkId = await upsertResourceLink(
      trx,
      consumer.id,
      contextId,
      { id: message.resourceLinkId, title: message.resourceLinkTitle, description: message.resourceLinkDescription },
      now,
    );
    const launchId = await insertLaunch(trx, {
      consumer_id: consumer.id,
      user_id: userId,
      resource_link_id: resourceLinkId,
      context_id: contextId,
      role,
      roles_raw: message.rolesRaw,
      lti_version: message.version,
      user_agent: request.userAgent,
      outcome_service_url: message.outcomes.serviceUrl,
      result_sourcedid: message.outcomes.resultSourcedid,
      ext_outcome_url: message.outcomes.extOutcomeUrl,
      return_url: message.returnUrl,
      locale: message.locale,
      created_at: now,
    });
    return { launchId, consumerId: consumer.id, userId, resourceLinkId, contextId, role, message };
  });
}
