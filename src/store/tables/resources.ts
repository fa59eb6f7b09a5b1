import type { Generated, Selectable } from 'kysely';

/** An exam: what one or more resource links open. Its package changes by new versions. */
export interface ResourcesTable {
  id: Generated<number>;
  consumer_id: number;
  context_id: number | null;
  title: string | null;
  current_package_version_id: number | null;
  created_at: number;
  updated_at: number;
}

export type ResourceRow = Selectable<ResourcesTable>;
