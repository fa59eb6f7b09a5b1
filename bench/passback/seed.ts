import type { Kysely } from 'kysely';
import { createConsumer } from '../../src/commands/create-consumer.js';
import type { SecretBox } from '../../src/lib/secret-box.js';
import type { Database } from '../../src/store/schema.js';

export interface SeededClass {
  resourceId: number;
  userIds: number[];
  consumer: { key: string; secret: string };
  /** The grade each sourcedid must end with. */
  expected: Map<string, number>;
}

const CHUNK = 500;

/** A student's score: spread over 0..1, the same on every run. */
function scoreOf(i: number): number {
  return ((i * 37) % 101) / 100;
}

async function inChunks<T>(items: T[], write: (chunk: T[]) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < items.length; i += CHUNK) await write(items.slice(i, i + CHUNK));
}

/**
 * One exam at one graded link with `students` students, each with one launch from the LMS
 * (outcome URL and sourcedid, as a real launch records them) and one finished, scored attempt.
 * Written straight into the tables: the benchmark measures sending grades, not launches.
 */
export async function seedClass(db: Kysely<Database>, box: SecretBox, students: number, outcomeUrl: (consumer: { key: string; secret: string }) => Promise<string>, now: number): Promise<SeededClass> {
  const consumer = await createConsumer(db, box, { key: 'bench-lms' }, now);
  const consumerId = Number((await db.selectFrom('consumers').select('id').where('key', '=', consumer.key).executeTakeFirstOrThrow()).id);
  const url = await outcomeUrl(consumer);
  const resource = await db.insertInto('resources').values({ consumer_id: consumerId, context_id: null, title: 'Bench exam', current_package_version_id: null, created_at: now, updated_at: now }).returning('id').executeTakeFirstOrThrow();
  const resourceId = Number(resource.id);
  await db.insertInto('package_blobs').values({ sha256: 'bench', size: 1, data: new Uint8Array([0]), created_at: now }).execute();
  const version = await db
    .insertInto('package_versions')
    .values({ resource_id: resourceId, sha256: 'bench', scorm_version: '2004', schema_version: null, title: 'Bench', launch_path: 'index.html', launch_query: null, numbas_version: null, file_count: 1, uncompressed_bytes: 1, uploaded_by_user_id: null, created_at: now })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db.updateTable('resources').set({ current_package_version_id: version.id }).where('id', '=', resourceId).execute();
  const link = await db
    .insertInto('resource_links')
    .values({ consumer_id: consumerId, context_id: null, lti_resource_link_id: 'bench-link', title: 'Bench exam', description: null, resource_id: resourceId, created_at: now, updated_at: now })
    .returning('id')
    .executeTakeFirstOrThrow();

  const indexes = Array.from({ length: students }, (_, i) => i);
  const userIds: number[] = [];
  await inChunks(indexes, async (chunk) => {
    const rows = await db
      .insertInto('users')
      .values(chunk.map((i) => ({ consumer_id: consumerId, lti_user_id: `student-${i}`, name_given: null, name_family: null, name_full: `Student ${i}`, email: `student-${i}@example.org`, username: `student${i}`, created_at: now, updated_at: now })))
      .returning('id')
      .execute();
    userIds.push(...rows.map((r) => Number(r.id)));
  });
  const expected = new Map<string, number>();
  await inChunks(indexes, (chunk) =>
    db
      .insertInto('launches')
      .values(
        chunk.map((i) => ({
          consumer_id: consumerId,
          user_id: userIds[i] as number,
          resource_link_id: Number(link.id),
          context_id: null,
          role: 'student' as const,
          roles_raw: 'Learner',
          lti_version: 'LTI-1p0',
          user_agent: null,
          outcome_service_url: url,
          result_sourcedid: `sourcedid-${i}`,
          ext_outcome_url: null,
          return_url: null,
          locale: null,
          created_at: now,
        })),
      )
      .execute(),
  );
  await inChunks(indexes, (chunk) =>
    db
      .insertInto('attempts')
      .values(
        chunk.map((i) => {
          expected.set(`sourcedid-${i}`, scoreOf(i));
          return {
            resource_id: resourceId,
            user_id: userIds[i] as number,
            package_version_id: Number(version.id),
            started_at: now - 3600_000,
            ended_at: now - 60_000,
            ended_seq: 1,
            completion_status: 'completed',
            success_status: 'passed',
            score_raw: null,
            score_min: null,
            score_max: null,
            score_scaled: scoreOf(i),
            time_spent_ms: 3_540_000,
            question_scores: null,
            current_session_id: null,
            element_count: 0,
            updated_at: now,
          };
        }),
      )
      .execute(),
  );
  return { resourceId, userIds, consumer, expected };
}
