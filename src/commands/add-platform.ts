import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { AppError, type FieldProblem } from '../lib/errors.js';
import type { SecretBox } from '../lib/secret-box.js';
import { findConsumerByKey, insertConsumer } from '../store/repositories/consumers.js';
import { findPlatformByIssuerAndClient, insertDeployment, insertPlatform } from '../store/repositories/platforms.js';
import type { Database } from '../store/schema.js';
import { validateDeploymentId } from './add-deployment.js';
import { getPlatform } from './get-platform.js';
import type { PlatformListing } from './list-platforms.js';

export interface PlatformInput {
  issuer: string;
  clientId: string;
  authLoginUrl: string;
  tokenUrl: string;
  jwksUrl: string;
  tokenAudience?: string | null;
  name?: string | null;
  deployments?: readonly string[];
}

/** The fields of a platform as the admin form names them, for per-field problems. */
export type PlatformField = 'issuer' | 'clientId' | 'authLoginUrl' | 'tokenUrl' | 'jwksUrl' | 'tokenAudience' | 'name' | 'deployment';

const TEXT_MAX = 500;
const URL_MAX = 2000;
const NAME_MAX = 200;

const LABELS: Record<PlatformField, string> = {
  issuer: 'The issuer',
  clientId: 'The client ID',
  authLoginUrl: 'The authentication (OIDC) URL',
  tokenUrl: 'The access token URL',
  jwksUrl: 'The keyset (JWKS) URL',
  tokenAudience: 'The token audience',
  name: 'The name',
  deployment: 'The deployment ID',
};

/** The tenant key of a platform in `consumers`: never a usable LTI 1.1 key (lti13_only refuses it). */
export function platformConsumerKey(issuer: string, clientId: string): string {
  return `lti13:${issuer}#${clientId}`;
}

function hasControl(text: string): boolean {
  return /[\u0000-\u001f\u007f]/.test(text);
}

/**
 * Identifiers (issuer, client id, audience) are compared exactly with what the platform sends,
 * so they are only trimmed, never normalised: `new URL()` would add a trailing slash.
 */
function identifier(field: PlatformField, value: string | null | undefined, required: boolean, problems: FieldProblem[], url = false): string | null {
  const trimmed = (value ?? '').trim();
  if (trimmed === '') {
    if (required) problems.push({ field, message: `${LABELS[field]} must not be empty.` });
    return null;
  }
  const max = url ? URL_MAX : TEXT_MAX;
  if (trimmed.length > max) problems.push({ field, message: `${LABELS[field]} must be at most ${max} characters.` });
  else if (hasControl(trimmed)) problems.push({ field, message: `${LABELS[field]} must not contain control characters.` });
  else if (url && !isHttpUrl(trimmed)) problems.push({ field, message: `${LABELS[field]} "${trimmed}" is not an http(s) URL.` });
  return trimmed;
}

function isHttpUrl(text: string): boolean {
  try {
    const parsed = new URL(text);
    return (parsed.protocol === 'https:' || parsed.protocol === 'http:') && parsed.username === '' && parsed.password === '';
  } catch {
    return false;
  }
}

export interface CheckedPlatform {
  issuer: string;
  clientId: string;
  authLoginUrl: string;
  tokenUrl: string;
  jwksUrl: string;
  tokenAudience: string | null;
  name: string | null;
  deployments: string[];
}

/** Checks every field at once, so a form shows all its problems together. */
export function checkPlatformInput(input: PlatformInput): CheckedPlatform {
  const problems: FieldProblem[] = [];
  // The spec wants an https issuer; http is accepted for local and test platforms.
  const issuer = identifier('issuer', input.issuer, true, problems, true);
  const clientId = identifier('clientId', input.clientId, true, problems);
  const authLoginUrl = identifier('authLoginUrl', input.authLoginUrl, true, problems, true);
  const tokenUrl = identifier('tokenUrl', input.tokenUrl, true, problems, true);
  const jwksUrl = identifier('jwksUrl', input.jwksUrl, true, problems, true);
  const tokenAudience = identifier('tokenAudience', input.tokenAudience, false, problems);
  const name = (input.name ?? '').trim();
  if (name.length > NAME_MAX) problems.push({ field: 'name', message: `The name must be at most ${NAME_MAX} characters.` });
  else if (hasControl(name)) problems.push({ field: 'name', message: 'The name must not contain control characters.' });
  const deployments: string[] = [];
  for (const raw of input.deployments ?? []) {
    if (raw.trim() === '') continue;
    try {
      const id = validateDeploymentId(raw);
      if (!deployments.includes(id)) deployments.push(id);
    } catch (error) {
      if (error instanceof AppError) problems.push({ field: 'deployment', message: error.publicMessage });
      else throw error;
    }
  }
  const first = problems[0];
  if (first || issuer === null || clientId === null || authLoginUrl === null || tokenUrl === null || jwksUrl === null) {
    throw new AppError('bad_request', first?.message ?? 'The platform is incomplete.', { problems });
  }
  return { issuer, clientId, authLoginUrl, tokenUrl, jwksUrl, tokenAudience, name: name === '' ? null : name, deployments };
}

function duplicate(issuer: string, clientId: string): AppError {
  return new AppError('conflict', `A platform with the issuer "${issuer}" and the client ID "${clientId}" is already registered.`, {
    problems: [{ field: 'clientId', message: 'This issuer already has a platform with this client ID.' }],
  });
}

/**
 * Registers an LTI 1.3 platform. In one transaction: its tenant row in `consumers`
 * (lti13_only, with a random secret nobody knows, so it can never sign an LTI 1.1 launch),
 * the platform, and its first deployments. One issuer may hold several client ids.
 */
export async function addPlatform(db: Kysely<Database>, box: SecretBox, input: PlatformInput, now: number): Promise<PlatformListing> {
  const checked = checkPlatformInput(input);
  const { issuer, clientId } = checked;
  if (await findPlatformByIssuerAndClient(db, issuer, clientId)) throw duplicate(issuer, clientId);
  const key = platformConsumerKey(issuer, clientId);
  let platformId: number;
  try {
    platformId = await db.transaction().execute(async (trx) => {
      // A leftover tenant (its platform deleted outside this command) would block the key: reuse it.
      const existing = await findConsumerByKey(trx, key);
      if (existing && existing.lti13_only !== 1) {
        throw new AppError('conflict', `An LTI 1.1 consumer already uses the key "${key}"; rename or delete it first.`);
      }
      const consumerId =
        existing
          ? existing.id
          : (await insertConsumer(trx, { key, secret_sealed: box.seal(randomBytes(32).toString('base64url')), url: null, created_at: now, disabled_at: null, lti13_only: 1 })).id;
      const platform = await insertPlatform(trx, {
        consumer_id: consumerId,
        issuer,
        client_id: clientId,
        name: checked.name,
        auth_login_url: checked.authLoginUrl,
        token_url: checked.tokenUrl,
        jwks_url: checked.jwksUrl,
        token_audience: checked.tokenAudience,
        created_at: now,
        disabled_at: null,
      });
      for (const deployment of checked.deployments) await insertDeployment(trx, platform.id, deployment, now);
      return platform.id;
    });
  } catch (error) {
    // Two admins racing on the same registration: the unique constraint decides.
    if (await findPlatformByIssuerAndClient(db, issuer, clientId)) throw duplicate(issuer, clientId);
    throw error;
  }
  return getPlatform(db, platformId);
}
