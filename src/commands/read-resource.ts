import type { Kysely } from 'kysely';
import type { LtiSession } from '../domain/session-token.js';
import type { Database } from '../store/schema.js';
import { resourceIdOfSession } from './resource-access.js';

export interface AttemptSummary {
  id: number;
  userId: number;
  startedAt: string;
  endedAt: string | null;
  status: 'incomplete' | 'completed';
  completionStatus: string | null;
  score: { raw: number | null; max: number | null; scaled: number | null } | null;
  canContinue: boolean;
  canReview: boolean;
}

export interface ResourceView {
  resource: {
    id: number;
    title: string | null;
    package: { versionId: number; title: string | null; scormVersion: '1.2' | '2004'; numbasVersion: string | null; uploadedAt: string } | null;
  } | null;
  role: LtiSession['role'];
  attempts: AttemptSummary[];
  canStartNew: boolean;
}

/** What the landing page shows: the exam, and this user's attempts at it (all attempts for instructors come later). */
export async function readResource(db: Kysely<Database>, session: LtiSession): Promise<ResourceView> {
  const resourceId = await resourceIdOfSession(db, session);
  if (resourceId === null) return { resource: null, role: session.role, attempts: [], canStartNew: false };
  const resource = await db
    .selectFrom('resources')
    .leftJoin('package_versions', 'package_versions.id', 'resources.current_package_version_id')
    .select([
      'resources.id',
      'resources.title',
      'package_versions.id as version_id',
      'package_versions.title as package_title',
      'package_versions.scorm_version',
      'package_versions.numbas_version',
      'package_versions.created_at as uploaded_at',
    ])
    .where('resources.id', '=', resourceId)
    .executeTakeFirstOrThrow();
  const rows = await db
    .selectFrom('attempts')
    .selectAll()
    .where('resource_id', '=', resourceId)
    .where('user_id', '=', session.userId)
    .orderBy('started_at', 'desc')
    .execute();
  const attempts = rows.map((a): AttemptSummary => ({
    id: a.id,
    userId: a.user_id,
    startedAt: new Date(a.started_at).toISOString(),
    endedAt: a.ended_at === null ? null : new Date(a.ended_at).toISOString(),
    status: a.ended_at === null ? 'incomplete' : 'completed',
    completionStatus: a.completion_status,
    score: a.score_raw === null && a.score_scaled === null ? null : { raw: a.score_raw, max: a.score_max, scaled: a.score_scaled },
    canContinue: a.ended_at === null,
    canReview: a.ended_at !== null,
  }));
  const hasPackage = resource.version_id !== null;
  return {
    resource: {
      id: resource.id,
      title: resource.title,
      package:
        resource.version_id === null || resource.scorm_version === null || resource.uploaded_at === null
          ? null
          : { versionId: resource.version_id, title: resource.package_title, scormVersion: resource.scorm_version, numbasVersion: resource.numbas_version, uploadedAt: new Date(resource.uploaded_at).toISOString() },
    },
    role: session.role,
    attempts,
    // Attempt limits and dates are resource settings; until they are set, a student may always start anew.
    canStartNew: hasPackage && session.role === 'student',
  };
}
