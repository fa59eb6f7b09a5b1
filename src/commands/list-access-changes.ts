import type { Kysely } from 'kysely';
import type { AccessChange, DurationChange } from '../domain/access-change.js';
import type { LtiSession } from '../domain/session-token.js';
import type { Database } from '../store/schema.js';
import { requireInstructorResource } from './instructor-resource.js';
import { loadAccessChanges } from './load-access.js';

export interface AccessChangeView {
  id: number;
  createdAt: string;
  description: string;
  availableFrom: string | null;
  availableUntil: string | null;
  extendDeadlineMinutes: number | null;
  maxAttempts: number | null;
  duration: DurationChange;
  targets: Array<{ kind: 'username' | 'email'; value: string }>;
}

export interface AccessChangesAnswer {
  /** Oldest first: when several apply to a student, the later one wins for dates and duration. */
  changes: AccessChangeView[];
  /** The instructor's own username and email as the LMS sent them: a guide to how targets are written. */
  you: { username: string | null; email: string | null };
}

function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

export function accessChangeView(c: AccessChange): AccessChangeView {
  return {
    id: c.id,
    createdAt: new Date(c.createdAt).toISOString(),
    description: c.description,
    availableFrom: iso(c.availableFrom),
    availableUntil: iso(c.availableUntil),
    extendDeadlineMinutes: c.extendDeadlineMinutes,
    maxAttempts: c.maxAttempts,
    duration: c.duration,
    // Stored without an order: shown emails first, then usernames, each alphabetically, the same on every read.
    targets: [...c.targets].sort((a, b) => (a.kind === b.kind ? (a.value < b.value ? -1 : a.value > b.value ? 1 : 0) : a.kind < b.kind ? -1 : 1)),
  };
}

export async function listAccessChanges(db: Kysely<Database>, session: LtiSession): Promise<AccessChangesAnswer> {
  const resourceId = await requireInstructorResource(db, session);
  const [changes, me] = await Promise.all([
    loadAccessChanges(db, resourceId),
    db.selectFrom('users').select(['username', 'email']).where('id', '=', session.userId).executeTakeFirst(),
  ]);
  return { changes: changes.map(accessChangeView), you: { username: me?.username ?? null, email: me?.email ?? null } };
}
