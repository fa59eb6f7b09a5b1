import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import { type AccessChange, type EffectiveAccess, effectiveAccess } from '../domain/access-change.js';
import { availabilityEnded, isAvailable, nextAvailabilityChange } from '../domain/availability.js';
import type { GradeEvent } from '../domain/report-timing.js';
import { deadlineReportTimes } from '../domain/report-timing.js';
import type { ResourceSettings } from '../domain/resource-settings.js';
import type { Database } from '../store/schema.js';
import { APPLY_ACCESS_KIND, enqueueApplyAccess } from './enqueue-apply-access.js';
import { type GradeRefreshItem, enqueueGradeRefresh } from './grade-refresh.js';
import { loadAccessChanges, loadSettings } from './load-access.js';

/** What one user's rules looked like at the previous run, kept in that run's job result. */
interface UserMark {
  /** Effective available-until and due date. */
  u: number | null;
  d: number | null;
  /** A short hash of the whole effective access: any change sends the grade again. */
  f: string;
  /** Availability had ended for good. */
  e: boolean;
}

/** The job result of a run: the next run compares against it. */
export interface ApplyAccessSnapshot {
  at: number;
  users: Record<string, UserMark>;
  ended: number;
  deadlines: number;
  nextRunAt: number | null;
}

export interface DeadlineNotice {
  attemptId: number;
  deadline: number | null;
  message: string;
}

export interface ApplyAccessOutcome {
  /** Attempts this run ended (another node's run, or the exam, had not already ended them). */
  ended: Array<{ attemptId: number; reason: string }>;
  deadlines: DeadlineNotice[];
  snapshot: ApplyAccessSnapshot;
}

export const AVAILABILITY_ENDED = 'availability_ended';

const CHUNK = 500;

function chunks<T>(list: T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += CHUNK) out.push(list.slice(i, i + CHUNK));
  return out;
}

/** The grading settings are part of the mark: changing them can change which score counts. */
function markOf(settings: ResourceSettings, access: EffectiveAccess, now: number): UserMark {
  const key = JSON.stringify([settings.gradingMethod, settings.includeIncomplete, access.availableFrom, access.availableUntil, access.dueAt, access.maxAttempts, access.duration, access.changeIds]);
  return { u: access.availableUntil, d: access.dueAt, f: createHash('sha256').update(key).digest('base64url').slice(0, 12), e: availabilityEnded(access, now) };
}

function endReason(access: EffectiveAccess, now: number): string {
  return availabilityEnded(access, now)
    ? 'This exam has closed for you, so your attempt has ended. Everything saved before it closed is kept.'
    : 'This exam is not available to you at the moment, so your attempt has ended. Everything saved before now is kept.';
}

/** What to tell an open attempt's window when its closing time or due date moved; null when neither did. */
export function deadlineNotice(previous: UserMark | undefined, next: EffectiveAccess): Omit<DeadlineNotice, 'attemptId'> | null {
  const until = next.availableUntil;
  const due = next.dueAt;
  if (previous === undefined) {
    // No earlier run to compare with: say what holds now, when there is anything to say.
    if (until !== null) return { deadline: until, message: 'This exam closes for you at the time below: your attempt ends then.' };
    if (due !== null) return { deadline: due, message: 'This exam is due at the time below.' };
    return null;
  }
  const untilMoved = previous.u !== until;
  const dueMoved = previous.d !== due;
  if (untilMoved && until !== null) return { deadline: until, message: 'The time this exam closes for you has changed: your attempt ends then.' };
  if (dueMoved && due !== null) return { deadline: due, message: 'The due date of this exam has changed for you.' };
  if (untilMoved) return { deadline: due, message: 'This exam no longer closes at a set time for you.' };
  if (dueMoved) return { deadline: until, message: 'This exam no longer has a due date for you.' };
  return null;
}

/** The earliest instant after now at which some student's availability flips or a deadline send is due. */
function nextRun(settings: ResourceSettings, changes: AccessChange[], accesses: EffectiveAccess[], now: number): number | null {
  const windows: EffectiveAccess[] = [effectiveAccess(settings, [], { username: null, email: null }, 0), ...accesses];
  // Each change alone, as its targets get it: the window of anyone it applies to, with or without attempts yet
  // (with several changes, the last one touching dates decides, so these cover every combination).
  for (const change of changes) {
    const target = change.targets[0];
    if (!target) continue;
    const person = target.kind === 'username' ? { username: target.value, email: null } : { username: null, email: target.value };
    windows.push(effectiveAccess(settings, [change], person, 0));
  }
  let next: number | null = null;
  for (const w of windows) {
    for (const t of [nextAvailabilityChange(w, now), ...deadlineReportTimes(w)]) {
      if (t !== null && t > now && (next === null || t < next)) next = t;
    }
  }
  return next;
}

async function previousSnapshot(db: Kysely<Database>, resourceId: number): Promise<ApplyAccessSnapshot | null> {
  const row = await db
    .selectFrom('jobs')
    .select('result')
    .where('resource_id', '=', resourceId)
    .where('kind', '=', APPLY_ACCESS_KIND)
    .where('state', '=', 'done')
    .orderBy('finished_at', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (!row?.result) return null;
  try {
    const parsed = JSON.parse(row.result) as Partial<ApplyAccessSnapshot>;
    return typeof parsed.at === 'number' && typeof parsed.users === 'object' && parsed.users !== null ? (parsed as ApplyAccessSnapshot) : null;
  } catch {
    return null;
  }
}

/**
 * Applies a resource's rules, as they are now, to its students: ends open attempts that are no
 * longer available, finds open attempts whose deadline moved, queues grade sends for students
 * whose access changed or whose deadline passed since the previous run, and queues the next run
 * at the next instant that matters. Safe to run twice or on two nodes at once: an attempt is ended
 * by a conditional UPDATE, and grade sends coalesce. The caller publishes the outcome's events
 * after this returns (it has committed).
 */
export async function applyAccess(db: Kysely<Database>, resourceId: number, now: number): Promise<ApplyAccessOutcome | null> {
  const exists = await db.selectFrom('resources').select('id').where('id', '=', resourceId).executeTakeFirst();
  if (!exists) return null;
  const [settings, changes, previous, attempts, tokens] = await Promise.all([
    loadSettings(db, resourceId),
    loadAccessChanges(db, resourceId),
    previousSnapshot(db, resourceId),
    db
      .selectFrom('attempts')
      .innerJoin('users', 'users.id', 'attempts.user_id')
      .select(['attempts.id', 'attempts.user_id', 'attempts.ended_at', 'users.username', 'users.email'])
      .where('attempts.resource_id', '=', resourceId)
      .execute(),
    db
      .selectFrom('access_tokens')
      .select(['user_id', (eb) => eb.fn.countAll<number | string>().as('n')])
      .where('resource_id', '=', resourceId)
      .groupBy('user_id')
      .execute(),
  ]);
  const tokensOf = new Map(tokens.map((t) => [t.user_id, Number(t.n)]));
  const byUser = new Map<number, { person: { username: string | null; email: string | null }; open: number[] }>();
  for (const a of attempts) {
    const entry = byUser.get(a.user_id) ?? { person: { username: a.username, email: a.email }, open: [] };
    if (a.ended_at === null) entry.open.push(a.id);
    byUser.set(a.user_id, entry);
  }

  const since = previous?.at ?? Number.NEGATIVE_INFINITY;
  const users: Record<string, UserMark> = {};
  const accesses: EffectiveAccess[] = [];
  const toEnd = new Map<number, string>();
  const deadlines: DeadlineNotice[] = [];
  const grades: GradeRefreshItem[] = [];
  for (const [userId, { person, open }] of byUser) {
    const access = effectiveAccess(settings, changes, person, tokensOf.get(userId) ?? 0);
    accesses.push(access);
    const mark = markOf(settings, access, now);
    const before = previous?.users[String(userId)];
    users[String(userId)] = mark;
    const available = isAvailable(access, now);
    if (!available) for (const id of open) toEnd.set(id, endReason(access, now));
    else {
      const notice = deadlineNotice(before, access);
      if (notice) for (const id of open) deadlines.push({ attemptId: id, ...notice });
    }
    // A deadline send is due once its time has passed since the previous run (or ever, on the first run).
    const deadlinePassed = deadlineReportTimes(access).some((t) => t > since && t <= now) || (mark.e && before?.e !== true);
    const event: GradeEvent | null = deadlinePassed
      ? 'deadline-passed'
      : before === undefined || before.f !== mark.f
        ? 'access-changed'
        : !available && open.length > 0
          ? 'attempt-completed'
          : null;
    if (event) grades.push({ resourceId, userId, event });
  }
  const nextRunAt = nextRun(settings, changes, accesses, now);

  const ended = await db.transaction().execute(async (trx) => {
    const done: Array<{ attemptId: number; reason: string }> = [];
    for (const ids of chunks([...toEnd.keys()])) {
      // Only attempts still open: the exam (a terminate batch) or another run may have ended one meanwhile.
      const rows = await trx
        .updateTable('attempts')
        .set({ ended_at: now, end_reason: AVAILABILITY_ENDED, updated_at: now })
        .where('id', 'in', ids)
        .where('ended_at', 'is', null)
        .returning('id')
        .execute();
      for (const r of rows) done.push({ attemptId: r.id, reason: toEnd.get(r.id) ?? '' });
    }
    await enqueueGradeRefresh(trx, grades, now);
    if (nextRunAt !== null) await enqueueApplyAccess(trx, resourceId, now, nextRunAt);
    return done;
  });
  return { ended, deadlines, snapshot: { at: now, users, ended: ended.length, deadlines: deadlines.length, nextRunAt } };
}
