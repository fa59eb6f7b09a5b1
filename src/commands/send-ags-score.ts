import type { Kysely } from 'kysely';
import type { SecretBox } from '../lib/secret-box.js';
import { LTI13_SERVICES } from '../lti/constants.js';
import { OutcomeError } from '../lti/lti11/outcome-errors.js';
import { type ActivityProgress, AgsError, type GradingProgress, type Score, createLineItem, findLineItem, postScore } from '../lti/lti13/ags.js';
import type { SigningKey } from '../lti/lti13/jwt.js';
import { type Lti13ServiceError, isLti13ServiceError } from '../lti/lti13/service-errors.js';
import type { ServiceCall } from '../lti/lti13/service-http.js';
import { ServiceTokenClient, withServiceToken } from '../lti/lti13/service-token.js';
import type { Database } from '../store/schema.js';
import type { AgsService } from './find-grade-service.js';
import { signingKey } from './signing-key.js';

const SCOPES = LTI13_SERVICES.scopes;
const AGS_SCOPES: readonly string[] = [SCOPES.lineItem, SCOPES.lineItemReadOnly, SCOPES.score, SCOPES.resultReadOnly];

/** Our grades are scaled 0..1; AGS gets them out of this maximum (the line items we create declare it too). */
export const AGS_SCORE_MAXIMUM = 100;
/** The tag on line items this tool creates, so they are told apart from the LMS's own columns. */
export const AGS_LINE_ITEM_TAG = 'exam';

/**
 * This node's service tokens, one client per timeout setting: tokens are cached per (platform,
 * scope set) until they expire, so a burst of score posts asks the platform for one token.
 */
const tokenClients = new Map<number, ServiceTokenClient>();

export function agsTokenClient(timeoutMs: number): ServiceTokenClient {
  let client = tokenClients.get(timeoutMs);
  if (client === undefined) {
    client = new ServiceTokenClient({ timeoutMs });
    tokenClients.set(timeoutMs, client);
  }
  return client;
}

export interface AgsSendDeps {
  db: Kysely<Database>;
  secretBox: SecretBox;
  timeoutMs: number;
  fetchImpl?: typeof fetch;
  tokens?: ServiceTokenClient;
}

export interface AgsScoreInput {
  /** Scaled 0..1; null for a status alone (Started, PendingManual): no scoreGiven is sent. */
  score: number | null;
  activityProgress: ActivityProgress;
  /** FullyGraded unless said otherwise. */
  gradingProgress?: GradingProgress;
  /** The instant the score describes; the send time unless said otherwise. */
  timestamp?: number;
  now: number;
}

/** The AGS scopes a token is asked for: those the launch granted, the same set for every call so one cached token serves them all. */
export function agsTokenScopes(granted: readonly string[]): string[] {
  return AGS_SCOPES.filter((s) => granted.includes(s));
}

/** scoreGiven out of 100, rounded so 0.29 × 100 is 29, not 28.999999999999996. */
export function scoreGivenOf(scaled: number): number {
  return Math.round(scaled * AGS_SCORE_MAXIMUM * 1e6) / 1e6;
}

/**
 * The line item to post to: the launch claim's, else the one we recorded for (resource,
 * platform), else ours found by resourceId in the context's container, else a new one (when the
 * lineitem scope allows), recorded so the next send reuses it. Only line items declaring our
 * resourceId are ever looked up: the LMS's own columns are never touched.
 */
async function resolveLineItem(db: Kysely<Database>, service: AgsService, call: ServiceCall, now: number): Promise<string> {
  if (service.lineItemUrl !== null) return service.lineItemUrl;
  const container = service.lineItemsUrl;
  const canRead = service.scopes.includes(SCOPES.lineItem) || service.scopes.includes(SCOPES.lineItemReadOnly);
  if (container === null || !canRead) {
    throw new AgsError({
      kind: 'invalid',
      status: null,
      description: 'The launch named no line item, and the platform gave no line items service (or no lineitem scope) to find or create one.',
      retryable: false,
    });
  }
  const resourceId = String(service.resourceId);
  let url = (await findLineItem(container, { resourceId }, call))?.id ?? null;
  if (url === null) {
    if (!service.scopes.includes(SCOPES.lineItem)) {
      throw new AgsError({
        kind: 'invalid',
        status: null,
        description: 'The platform has no line item for this exam and did not grant the lineitem scope to create one.',
        retryable: false,
      });
    }
    url = (await createLineItem(container, { label: service.resourceTitle, scoreMaximum: AGS_SCORE_MAXIMUM, resourceId, tag: AGS_LINE_ITEM_TAG }, call)).id;
  }
  // Two sends racing may both create one; the first recorded wins and every later send uses it.
  await db
    .insertInto('line_items')
    .values({ resource_id: service.resourceId, platform_id: service.platform.id, lineitem_url: url, created_at: now })
    .onConflict((oc) => oc.columns(['resource_id', 'platform_id']).doNothing())
    .execute();
  const kept = await db
    .selectFrom('line_items')
    .select('lineitem_url')
    .where('resource_id', '=', service.resourceId)
    .where('platform_id', '=', service.platform.id)
    .executeTakeFirst();
  return kept?.lineitem_url ?? url;
}

/**
 * Posts one student's score to the platform's AGS score service with a cached service token
 * (client_credentials with our signed assertion). The timestamp is the send time with
 * milliseconds: platforms ignore a score older than the one they hold, which also keeps a late
 * retry of an older grade from overwriting a newer one. A status alone (no score) carries the
 * instant of its event instead, so a late one never overrides a grade sent since. Throws
 * Lti13ServiceError.
 */
export async function sendAgsScore(deps: AgsSendDeps, service: AgsService, input: AgsScoreInput): Promise<{ status: number; detail: string }> {
  const tokens = deps.tokens ?? agsTokenClient(deps.timeoutMs);
  const key: SigningKey = await signingKey(deps.db, deps.secretBox, input.now);
  const scopes = agsTokenScopes(service.scopes);
  return withServiceToken(tokens, service.platform, scopes, key, input.now, (token) =>
    postWithToken(deps, service, input, token.accessToken).catch(async (error: unknown) => {
      // Our recorded line item was deleted in the LMS: forget it, so the retry finds or creates one again.
      if (error instanceof AgsError && error.status === 404 && service.lineItemRecorded && service.lineItemUrl !== null) {
        await deps.db.deleteFrom('line_items').where('resource_id', '=', service.resourceId).where('platform_id', '=', service.platform.id).where('lineitem_url', '=', service.lineItemUrl).execute();
        throw new AgsError({ kind: 'http', status: 404, description: `${error.description} The recorded line item is forgotten; the next try finds or creates it again.`, retryable: true }, { cause: error });
      }
      throw error;
    }),
  );
}

async function postWithToken(deps: AgsSendDeps, service: AgsService, input: AgsScoreInput, accessToken: string): Promise<{ status: number; detail: string }> {
  const call: ServiceCall = { accessToken, timeoutMs: deps.timeoutMs, ...(deps.fetchImpl ? { fetchImpl: deps.fetchImpl } : {}) };
  const lineItemUrl = await resolveLineItem(deps.db, service, call, input.now);
  const gradingProgress = input.gradingProgress ?? 'FullyGraded';
  const score: Score = {
    userId: service.ltiUserId,
    timestamp: input.timestamp ?? input.now,
    activityProgress: input.activityProgress,
    gradingProgress,
  };
  if (input.score !== null) {
    score.scoreGiven = scoreGivenOf(input.score);
    score.scoreMaximum = AGS_SCORE_MAXIMUM;
  }
  const answer = await postScore(lineItemUrl, score, call);
  const what = input.score === null ? 'AGS status' : (`AGS score ${scoreGivenOf(input.score)}/${AGS_SCORE_MAXIMUM}` as const);
  return { status: answer.status, detail: `${agsProgressLabel(what, input.activityProgress, gradingProgress)} posted to ${lineItemUrl}` };
}

/** A service failure as the grade path's error, so retries and audit rows work as for LTI 1.1. */
function outcomeErrorOf(error: Lti13ServiceError): OutcomeError {
  const kind = error.kind === 'invalid' ? 'malformed' : error.kind === 'http' && !error.retryable ? 'rejected' : error.kind;
  return new OutcomeError({ kind, status: error.status, description: error.description, retryable: error.retryable }, { cause: error });
}

/** Whatever a send to the LMS threw (LTI 1.1 or AGS), as the grade path's error; anything unknown is not retried. */
export function sendFailureOf(caught: unknown): OutcomeError {
  if (caught instanceof OutcomeError) return caught;
  if (isLti13ServiceError(caught)) return outcomeErrorOf(caught);
  return new OutcomeError({ kind: 'malformed', status: null, description: caught instanceof Error ? caught.message : String(caught), retryable: false }, { cause: caught });
}

/** How an AGS post names its progress in audit rows; also what finds an earlier status post among them. */
export function agsProgressLabel(what: 'AGS status' | `AGS score ${string}`, activity: ActivityProgress, grading: GradingProgress): string {
  return `${what} (${activity}, ${grading})`;
}

/** Completed once no attempt is open (the counting attempt has ended), else InProgress: the grade may still change. */
export async function activityProgressOf(db: Kysely<Database>, resourceId: number, userId: number): Promise<ActivityProgress> {
  const open = await db
    .selectFrom('attempts')
    .select('id')
    .where('resource_id', '=', resourceId)
    .where('user_id', '=', userId)
    .where('ended_at', 'is', null)
    .limit(1)
    .executeTakeFirst();
  return open === undefined ? 'Completed' : 'InProgress';
}
