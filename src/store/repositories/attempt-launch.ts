import { prepareOnPostgres } from '../prepared-statements.js';
import { CompiledQuery, type Kysely, sql } from 'kysely';
import { jsonArrayFrom, jsonObjectFrom } from 'kysely/helpers/postgres';
import type { Database } from '../schema.js';
import type { AccessChangeRow } from '../tables/access.js';
import type { AttemptRow } from '../tables/attempts.js';
import type { PackageVersionRow } from '../tables/packages.js';
import type { ResourceRow } from '../tables/resources.js';
import type { UserRow } from '../tables/users.js';
import { resolveValues } from './value-pointers.js';

/** The columns of `resources` that hold its settings, as `ResourceSettingsRow` names them. */
export const SETTINGS_COLUMNS = [
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

/** The columns of `attempts` the attempt rules read. */
export const ATTEMPT_FACT_COLUMNS = ['id', 'started_at', 'ended_at', 'completion_status', 'score_scaled', 'score_raw', 'score_max'] as const;

export type SettingsColumns = Pick<ResourceRow, (typeof SETTINGS_COLUMNS)[number]>;
export type AttemptFactRow = Pick<AttemptRow, (typeof ATTEMPT_FACT_COLUMNS)[number]>;

/** Everything opening an attempt reads, found through the session's link (PostgreSQL only). */
export interface AttemptLaunchRows {
  /** The link's resource; undefined when the session's link is gone. */
  link: { resource_id: number | null } | undefined;
  /** The attempt the request names, whoever's it is: the caller applies the access policy. */
  attempt: AttemptRow | undefined;
  /** The attempt owner's rules at the attempt's resource. */
  settings: SettingsColumns | null;
  changes: AccessChangeRow[];
  targets: Array<{ access_change_id: number; kind: 'username' | 'email'; value: string }>;
  tokens: number;
  attempts: AttemptFactRow[];
  /** The attempt owner. */
  user: Pick<UserRow, 'lti_user_id' | 'name_given' | 'name_family' | 'name_full' | 'username' | 'email'> | null;
  version: PackageVersionRow | null;
  /** The attempt's current values, key to value. */
  values: Record<string, string>;
}

/**
 * One statement for every read of a resume: the session's link with the named attempt (the
 * access check), the owner's rules (settings, access changes and their targets, access tokens,
 * attempts), the package version, the learner and the current values. On PostgreSQL each
 * statement is a round trip and a backend's parse, plan and execute: the access check and then
 * eight concurrent reads made most of a resume's time (docs/performance.md). The subqueries
 * follow the attempt row, so for a missing attempt they read nothing; for someone else's
 * attempt they read what is then refused and never returned.
 */
export async function readAttemptLaunch(db: Kysely<Database>, resourceLinkId: number, consumerId: number, attemptId: number): Promise<AttemptLaunchRows> {
  const { rows } = await db.executeQuery(launchStatement(db, resourceLinkId, consumerId, attemptId));
  const found = rows[0] as LaunchRow | undefined;
  if (!found) {
    return { link: undefined, attempt: undefined, settings: null, changes: [], targets: [], tokens: 0, attempts: [], user: null, version: null, values: {} };
  }
  const { link_resource_id, r_settings, r_changes, r_targets, r_tokens, r_attempts, r_user, r_version, r_values, r_pointers, ...row } = found;
  return {
    link: { resource_id: link_resource_id },
    attempt: row.id === null ? undefined : (row as AttemptRow),
    settings: r_settings,
    // json_agg keeps a sorted subquery's order in practice, which SQL does not promise: sort here.
    changes: r_changes.sort((a, b) => a.created_at - b.created_at || a.id - b.id),
    targets: r_targets,
    tokens: Number(r_tokens ?? 0),
    // The outer left join types every attempts column as nullable; these rows come from a plain select.
    attempts: (r_attempts as AttemptFactRow[]).sort((a, b) => a.started_at - b.started_at || a.id - b.id),
    user: r_user,
    // scorm_version is text; the JSON helper's types take its numeric-looking literals ('1.2') for numbers.
    version: r_version as PackageVersionRow | null,
    values: withPointers(r_values ?? {}, r_pointers ?? []),
  };
}

/** The current values with those kept in the history read from their batches. */
function withPointers(values: Record<string, string>, pointers: Array<[string, string, string | null]>): Record<string, string> {
  const rows = pointers.map(([key, history_session_id, elements]) => ({ key, value: '', history_session_id, elements }));
  for (const { key, value } of resolveValues(rows)) values[key] = value;
  return values;
}

type LaunchRow = NonNullable<Awaited<ReturnType<ReturnType<typeof attemptLaunchQuery>['executeTakeFirst']>>>;

/** The statement's text, which depends on nothing but the schema, and where each argument goes in it. */
let compiled: { sql: string; slots: Array<'link' | 'consumer' | 'attempt'> } | null = null;

/**
 * The statement compiled once per process: building and compiling a query of this size took
 * about 0.3 ms of each resume (bench/attempts/resume-breakdown.ts). The slots are found by
 * compiling with stand-in arguments, so they follow whatever order the compiler emits.
 */
function launchStatement(db: Kysely<Database>, resourceLinkId: number, consumerId: number, attemptId: number): CompiledQuery {
  if (!compiled) {
    const stand = { link: -101, consumer: -102, attempt: -103 } as const;
    const probe = attemptLaunchQuery(db, stand.link, stand.consumer, stand.attempt).compile();
    const slots = probe.parameters.map((p) => {
      const slot = (Object.keys(stand) as Array<keyof typeof stand>).find((k) => stand[k] === p);
      if (!slot) throw new Error(`the resume statement has an argument that is not one of its inputs: ${String(p)}`);
      return slot;
    });
    compiled = { sql: probe.sql, slots };
    prepareOnPostgres(probe.sql);
  }
  const args = { link: resourceLinkId, consumer: consumerId, attempt: Number.isSafeInteger(attemptId) ? attemptId : -1 };
  return CompiledQuery.raw(compiled.sql, compiled.slots.map((slot) => args[slot]));
}

/** The statement itself (typed by the query builder), exported for the diagnostics that time it. */
export function attemptLaunchQuery(db: Kysely<Database>, resourceLinkId: number, consumerId: number, attemptId: number) {
  return db
    .selectFrom('resource_links')
    .leftJoin('attempts', (join) => join.on('attempts.id', '=', Number.isSafeInteger(attemptId) ? attemptId : -1))
    .select('resource_links.resource_id as link_resource_id')
    .selectAll('attempts')
    .select((eb) => [
      jsonObjectFrom(eb.selectFrom('resources').select(SETTINGS_COLUMNS).whereRef('resources.id', '=', 'attempts.resource_id')).as('r_settings'),
      jsonArrayFrom(
        eb.selectFrom('access_changes').selectAll('access_changes').whereRef('access_changes.resource_id', '=', 'attempts.resource_id').orderBy('created_at').orderBy('id'),
      ).as('r_changes'),
      jsonArrayFrom(
        eb
          .selectFrom('access_change_targets')
          .innerJoin('access_changes', 'access_changes.id', 'access_change_targets.access_change_id')
          .select(['access_change_targets.access_change_id', 'access_change_targets.kind', 'access_change_targets.value'])
          .whereRef('access_changes.resource_id', '=', 'attempts.resource_id'),
      ).as('r_targets'),
      eb
        .selectFrom('access_tokens')
        .select((t) => t.fn.countAll<number | string>().as('n'))
        .whereRef('access_tokens.resource_id', '=', 'attempts.resource_id')
        .whereRef('access_tokens.user_id', '=', 'attempts.user_id')
        .as('r_tokens'),
      jsonArrayFrom(
        eb
          .selectFrom('attempts as mine')
          .select(ATTEMPT_FACT_COLUMNS.map((c) => `mine.${c}` as const))
          .whereRef('mine.resource_id', '=', 'attempts.resource_id')
          .whereRef('mine.user_id', '=', 'attempts.user_id')
          .orderBy('mine.started_at')
          .orderBy('mine.id'),
      ).as('r_attempts'),
      jsonObjectFrom(
        eb.selectFrom('users').select(['lti_user_id', 'name_given', 'name_family', 'name_full', 'username', 'email']).whereRef('users.id', '=', 'attempts.user_id'),
      ).as('r_user'),
      jsonObjectFrom(eb.selectFrom('package_versions').selectAll('package_versions').whereRef('package_versions.id', '=', 'attempts.package_version_id')).as('r_version'),
      // An object rather than rows: PostgreSQL builds it and JSON.parse reads it, with no per-row work in between.
      sql<Record<string, string> | null>`(select json_object_agg(v.key, v.value) from attempt_values v where v.attempt_id = attempts.id)`.as('r_values'),
      // Values kept only in the history (value-pointers.ts), each with its batch's elements.
      sql<Array<[string, string, string | null]> | null>`(select json_agg(json_build_array(v.key, v.history_session_id, h.elements)) from attempt_values v left join attempt_history h on h.attempt_id = v.attempt_id and h.session_id = v.history_session_id and h.seq = v.seq where v.attempt_id = attempts.id and v.history_session_id is not null)`.as('r_pointers'),
    ])
    .where('resource_links.id', '=', resourceLinkId)
    .where('resource_links.consumer_id', '=', consumerId);
}
