import type { Kysely } from 'kysely';
import type { AccessChange, DurationChange, EffectiveAccess, Person } from '../domain/access-change.js';
import { effectiveAccess } from '../domain/access-change.js';
import type { AttemptFacts } from '../domain/attempt-rules.js';
import { type ResourceSettings, settingsFromRow } from '../domain/resource-settings.js';
import { AppError } from '../lib/errors.js';
import type { Database } from '../store/schema.js';
import type { AccessChangeRow } from '../store/tables/access.js';
import type { AttemptRow } from '../store/tables/attempts.js';

/** Everything the attempt rules need to know about one user at one resource. */
export interface LoadedAccess {
  settings: ResourceSettings;
  access: EffectiveAccess;
  person: Person;
  /** The user's attempts at the resource, oldest first. */
  attempts: AttemptFacts[];
}

const SETTINGS_COLUMNS = [
  'grading_method',
  'include_incomplete',
  'max_attempts',
  'show_scores',
  'report_timing',
  'review_from',
  'available_from',
  'available_until',
  'due_at',
  'email_receipts',
] as const;

export function attemptFacts(row: Pick<AttemptRow, 'id' | 'started_at' | 'ended_at' | 'completion_status' | 'score_scaled' | 'score_raw' | 'score_max'>): AttemptFacts {
  return {
    id: row.id,
    startedAt: row.started_at,
    endedAt: row.ended_at,
    completionStatus: row.completion_status,
    scoreScaled: row.score_scaled,
    scoreRaw: row.score_raw,
    scoreMax: row.score_max,
  };
}

function durationOf(row: Pick<AccessChangeRow, 'duration_mode' | 'duration_amount'>): DurationChange {
  const amount = row.duration_amount ?? 0;
  switch (row.duration_mode) {
    case 'minutes':
      return { mode: 'minutes', amount };
    case 'percent':
      return { mode: 'percent', amount };
    case 'disable':
      return { mode: 'disable' };
    default:
      return { mode: 'none' };
  }
}

export async function loadSettings(db: Kysely<Database>, resourceId: number): Promise<ResourceSettings> {
  const row = await db.selectFrom('resources').select(SETTINGS_COLUMNS).where('id', '=', resourceId).executeTakeFirst();
  if (!row) throw new AppError('not_found', 'This exam no longer exists.');
  return settingsFromRow(row);
}

/**
 * Every access change of a resource with its targets. A resource has few (tens), so the rules
 * filter them per person (appliesTo) rather than SQL, which keeps one definition of "applies".
 */
export async function loadAccessChanges(db: Kysely<Database>, resourceId: number): Promise<AccessChange[]> {
  const rows = await db.selectFrom('access_changes').selectAll().where('resource_id', '=', resourceId).orderBy('created_at').orderBy('id').execute();
  if (rows.length === 0) return [];
  const targets = await db
    .selectFrom('access_change_targets')
    .innerJoin('access_changes', 'access_changes.id', 'access_change_targets.access_change_id')
    .select(['access_change_targets.access_change_id', 'access_change_targets.kind', 'access_change_targets.value'])
    .where('access_changes.resource_id', '=', resourceId)
    .execute();
  const byChange = new Map<number, AccessChange['targets']>();
  for (const t of targets) {
    const list = byChange.get(t.access_change_id) ?? [];
    list.push({ kind: t.kind, value: t.value });
    byChange.set(t.access_change_id, list);
  }
  return rows.map((r) => ({
    id: r.id,
    createdAt: r.created_at,
    description: r.description,
    availableFrom: r.available_from,
    availableUntil: r.available_until,
    extendDeadlineMinutes: r.extend_deadline_minutes,
    maxAttempts: r.max_attempts,
    duration: durationOf(r),
    targets: byChange.get(r.id) ?? [],
  }));
}

/**
 * The one place that reads a user's rules at a resource: the resource's settings, the access
 * changes that name them, their access tokens, and their attempts. `now` is not needed to read;
 * it is taken so callers pass the same instant to the rules they apply next.
 */
export async function loadAccess(db: Kysely<Database>, resourceId: number, userId: number, _now: number): Promise<LoadedAccess> {
  const [settings, changes, user, tokens, attempts] = await Promise.all([
    loadSettings(db, resourceId),
    loadAccessChanges(db, resourceId),
    db.selectFrom('users').select(['username', 'email']).where('id', '=', userId).executeTakeFirst(),
    db
      .selectFrom('access_tokens')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .where('resource_id', '=', resourceId)
      .where('user_id', '=', userId)
      .executeTakeFirst(),
    db
      .selectFrom('attempts')
      .select(['id', 'started_at', 'ended_at', 'completion_status', 'score_scaled', 'score_raw', 'score_max'])
      .where('resource_id', '=', resourceId)
      .where('user_id', '=', userId)
      .orderBy('started_at')
      .orderBy('id')
      .execute(),
  ]);
  const person: Person = { username: user?.username ?? null, email: user?.email ?? null };
  return {
    settings,
    access: effectiveAccess(settings, changes, person, Number(tokens?.n ?? 0)),
    person,
    attempts: attempts.map(attemptFacts),
  };
}
