import type { Kysely } from 'kysely';
import type { AccessChange, DurationChange, EffectiveAccess, Person } from '../domain/access-change.js';
import { effectiveAccess } from '../domain/access-change.js';
import type { AttemptFacts } from '../domain/attempt-rules.js';
import { type ResourceSettings, settingsFromRow } from '../domain/resource-settings.js';
import { AppError } from '../lib/errors.js';
import type { Database } from '../store/schema.js';
import { ATTEMPT_FACT_COLUMNS, type AttemptFactRow, SETTINGS_COLUMNS, type SettingsColumns } from '../store/repositories/attempt-launch.js';
import type { AccessChangeRow, AccessChangeTargetRow } from '../store/tables/access.js';

/** Everything the attempt rules need to know about one user at one resource. */
export interface LoadedAccess {
  settings: ResourceSettings;
  access: EffectiveAccess;
  person: Person;
  /** The user's attempts at the resource, oldest first. */
  attempts: AttemptFacts[];
}

export function attemptFacts(row: AttemptFactRow): AttemptFacts {
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
  return settingsOf(await db.selectFrom('resources').select(SETTINGS_COLUMNS).where('id', '=', resourceId).executeTakeFirst());
}

function settingsOf(row: SettingsColumns | null | undefined): ResourceSettings {
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
  return accessChangesFromRows(rows, targets);
}

/** Access change rows (in creation order) with their target rows, as the rules take them. */
export function accessChangesFromRows(rows: AccessChangeRow[], targets: AccessChangeTargetRow[]): AccessChange[] {
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
    db.selectFrom('attempts').select(ATTEMPT_FACT_COLUMNS).where('resource_id', '=', resourceId).where('user_id', '=', userId).orderBy('started_at').orderBy('id').execute(),
  ]);
  return accessOf(settings, changes, user, Number(tokens?.n ?? 0), attempts);
}

/** The rows loadAccess reads, read by someone else (a resume reads them in its one statement). */
export interface AccessRows {
  settings: SettingsColumns | null;
  changes: AccessChangeRow[];
  targets: AccessChangeTargetRow[];
  user: { username: string | null; email: string | null } | null;
  tokens: number;
  /** Oldest first. */
  attempts: AttemptFactRow[];
}

/** What loadAccess answers, from rows already read: the same derivation, so the same rules. */
export function accessFromRows(rows: AccessRows): LoadedAccess {
  return accessOf(settingsOf(rows.settings), accessChangesFromRows(rows.changes, rows.targets), rows.user, rows.tokens, rows.attempts);
}

function accessOf(
  settings: ResourceSettings,
  changes: AccessChange[],
  user: { username: string | null; email: string | null } | null | undefined,
  tokens: number,
  attempts: AttemptFactRow[],
): LoadedAccess {
  const person: Person = { username: user?.username ?? null, email: user?.email ?? null };
  return {
    settings,
    access: effectiveAccess(settings, changes, person, tokens),
    person,
    attempts: attempts.map(attemptFacts),
  };
}
