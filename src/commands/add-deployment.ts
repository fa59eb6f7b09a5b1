import type { Kysely } from 'kysely';
import { AppError } from '../lib/errors.js';
import { findPlatformById, insertDeployment } from '../store/repositories/platforms.js';
import type { Database } from '../store/schema.js';

/** The LTI spec caps deployment_id at 255 ASCII characters. */
const DEPLOYMENT_ID_MAX = 255;

/** A deployment id as sent in launches: compared exactly, so only trimmed of outer spaces. */
export function validateDeploymentId(deploymentId: string): string {
  const trimmed = deploymentId.trim();
  if (trimmed === '') throw new AppError('bad_request', 'The deployment ID must not be empty.');
  if (trimmed.length > DEPLOYMENT_ID_MAX) throw new AppError('bad_request', `The deployment ID must be at most ${DEPLOYMENT_ID_MAX} characters.`);
  if (/[\u0000-\u001f\u007f]/.test(trimmed)) throw new AppError('bad_request', 'The deployment ID must not contain control characters.');
  return trimmed;
}

/** Records a deployment of a platform: launches name one, and only recorded ones are accepted. */
export async function addDeployment(db: Kysely<Database>, platformId: number, deploymentId: string, now: number): Promise<{ deploymentId: string }> {
  const id = validateDeploymentId(deploymentId);
  if (!(await findPlatformById(db, platformId))) throw new AppError('not_found', `There is no platform with the id ${platformId}.`);
  if (!(await insertDeployment(db, platformId, id, now))) {
    throw new AppError('conflict', `The deployment "${id}" is already recorded for this platform.`);
  }
  return { deploymentId: id };
}
