import type { Kysely } from 'kysely';
import { availabilityEnded, isAvailable } from '../domain/availability.js';
import { canResume, canReview, canStartAttempt } from '../domain/attempt-rules.js';
import { canSeeScore } from '../domain/score-visibility.js';
import type { LtiSession } from '../domain/session-token.js';
import type { Database } from '../store/schema.js';
import { attemptFacts, loadAccess } from './load-access.js';
import { resourceIdOfSession } from './resource-access.js';

export interface AttemptSummary {
  id: number;
  userId: number;
  startedAt: string;
  endedAt: string | null;
  status: 'incomplete' | 'completed';
  completionStatus: string | null;
  /** Why the server ended it ('availability_ended'); null when the exam ended it or it is open. */
  endReason: string | null;
  /** Null when there is no score yet, or when the resource's policy hides it from the student for now. */
  score: { raw: number | null; max: number | null; scaled: number | null } | null;
  canContinue: boolean;
  canReview: boolean;
}

/** When the exam can be taken, as this user gets it (their access changes applied). */
export interface AvailabilityView {
  availableFrom: string | null;
  availableUntil: string | null;
  dueAt: string | null;
  /** Whether the exam is open now. */
  availableNow: boolean;
  /** True once it has closed for good for this user. */
  ended: boolean;
  /** Why a new attempt cannot be started, as a sentence for the student; null when it can (or for instructors). */
  reason: string | null;
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
  availability: AvailabilityView | null;
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

/** What the landing page shows: the exam, when it can be taken, and this user's attempts at it under the resource's rules. */
export async function readResource(db: Kysely<Database>, session: LtiSession, now: number): Promise<ResourceView> {
  const resourceId = await resourceIdOfSession(db, session);
  if (resourceId === null) return { resource: null, role: session.role, attempts: [], canStartNew: false, availability: null };
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
  const { settings, access, attempts: facts } = await loadAccess(db, resourceId, session.userId, now);
  const student = session.role === 'student';
  const attempts = rows.map((a): AttemptSummary => {
    const fact = attemptFacts(a);
    const hasScore = a.score_raw !== null || a.score_scaled !== null;
    const visible = !student || canSeeScore(settings, fact, access, now);
    return {
      id: a.id,
      userId: a.user_id,
      startedAt: new Date(a.started_at).toISOString(),
      endedAt: iso(a.ended_at),
      status: a.ended_at === null ? 'incomplete' : 'completed',
      completionStatus: a.completion_status,
      endReason: a.end_reason,
      score: hasScore && visible ? { raw: a.score_raw, max: a.score_max, scaled: a.score_scaled } : null,
      canContinue: a.ended_at === null && (!student || canResume(access, fact, now).allowed),
      canReview: student ? canReview(settings, fact, now, 'student', access).allowed : true,
    };
  });
  const hasPackage = resource.version_id !== null;
  const verdict = student && hasPackage ? canStartAttempt(access, facts, now) : null;
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
    canStartNew: verdict?.allowed === true,
    availability: {
      availableFrom: iso(access.availableFrom),
      availableUntil: iso(access.availableUntil),
      dueAt: iso(access.dueAt),
      availableNow: isAvailable(access, now),
      ended: availabilityEnded(access, now),
      reason: verdict !== null && !verdict.allowed ? verdict.reason : null,
    },
  };
}
