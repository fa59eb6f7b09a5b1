import type { Kysely } from 'kysely';
import { type LtiSession, type SessionMessage, sessionMessage } from '../domain/session-token.js';
import { AppError } from '../lib/errors.js';
import type { Database } from '../store/schema.js';

export interface SessionView {
  user: { name: string | null; email: string | null; username: string | null; ltiUserId: string };
  role: LtiSession['role'];
  resourceLink: { id: number; title: string | null };
  context: { title: string | null; label: string | null } | null;
  consumer: { key: string };
  expiresAt: string;
  /** What the launch asked for: the page shows the exam, the deep linking chooser, or a submission review. */
  message: SessionMessage;
}

/** What the page shows about the current session. The token's ids are checked against each other. */
export async function readSession(db: Kysely<Database>, session: LtiSession): Promise<SessionView> {
  const row = await db
    .selectFrom('users')
    .innerJoin('resource_links', (join) => join.on('resource_links.id', '=', session.resourceLinkId))
    .innerJoin('consumers', 'consumers.id', 'users.consumer_id')
    .leftJoin('contexts', 'contexts.id', 'resource_links.context_id')
    .where('users.id', '=', session.userId)
    .where('users.consumer_id', '=', session.consumerId)
    .where('resource_links.consumer_id', '=', session.consumerId)
    .select([
      'users.name_full',
      'users.name_given',
      'users.name_family',
      'users.email',
      'users.username',
      'users.lti_user_id',
      'resource_links.id as link_id',
      'resource_links.title as link_title',
      'contexts.id as context_id',
      'contexts.title as context_title',
      'contexts.label as context_label',
      'consumers.key as consumer_key',
    ])
    .executeTakeFirst();
  if (!row) throw new AppError('session_invalid', 'This session no longer matches a known user and link. Open the link from your course again.');
  const joined = [row.name_given, row.name_family].filter((p) => p !== null).join(' ');
  return {
    user: { name: row.name_full ?? (joined === '' ? null : joined), email: row.email, username: row.username, ltiUserId: row.lti_user_id },
    role: session.role,
    resourceLink: { id: row.link_id, title: row.link_title },
    context: row.context_id === null ? null : { title: row.context_title, label: row.context_label },
    consumer: { key: row.consumer_key },
    expiresAt: new Date(session.exp * 1000).toISOString(),
    message: sessionMessage(session),
  };
}
