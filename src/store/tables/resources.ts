import type { Generated, Selectable } from 'kysely';

/** An exam: what one or more resource links open. Its package changes by new versions. */
export interface ResourcesTable {
  id: Generated<number>;
  consumer_id: number;
  context_id: number | null;
  title: string | null;
  current_package_version_id: number | null;
  /** 'highest' | 'last' | 'average' (src/domain/resource-settings.ts). */
  grading_method: Generated<string>;
  /** 0 or 1: whether incomplete attempts count towards the grade. */
  include_incomplete: Generated<number>;
  /** 0 means unlimited. */
  max_attempts: Generated<number>;
  /** 'always' | 'completed' | 'review' | 'never' */
  show_scores: Generated<string>;
  /** 'immediately' | 'on_completion' | 'manual' */
  report_timing: Generated<string>;
  review_from: number | null;
  available_from: number | null;
  available_until: number | null;
  due_at: number | null;
  /** 0 or 1 */
  email_receipts: Generated<number>;
  created_at: number;
  updated_at: number;
}

export type ResourceRow = Selectable<ResourcesTable>;
