import type { Kysely } from 'kysely';
import { type ResourceSettings, type SettingsInput, checkSettings } from '../domain/resource-settings.js';
import type { LtiSession } from '../domain/session-token.js';
import type { Database } from '../store/schema.js';
import { requireInstructorResource } from './instructor-resource.js';
import { loadSettings } from './load-access.js';

/** The settings as the page shows them: dates as ISO 8601 instants (UTC), null when not set. */
export interface SettingsView {
  gradingMethod: ResourceSettings['gradingMethod'];
  includeIncomplete: boolean;
  maxAttempts: number;
  showScores: ResourceSettings['showScores'];
  reportTiming: ResourceSettings['reportTiming'];
  reviewFrom: string | null;
  availableFrom: string | null;
  availableUntil: string | null;
  dueAt: string | null;
  emailReceipts: boolean;
}

export interface SettingsAnswer {
  settings: SettingsView;
  /** Valid but surprising choices explained (a wrapped availability window, …). */
  notes: string[];
}

function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

export function settingsView(s: ResourceSettings): SettingsView {
  return {
    gradingMethod: s.gradingMethod,
    includeIncomplete: s.includeIncomplete,
    maxAttempts: s.maxAttempts,
    showScores: s.showScores,
    reportTiming: s.reportTiming,
    reviewFrom: iso(s.reviewFrom),
    availableFrom: iso(s.availableFrom),
    availableUntil: iso(s.availableUntil),
    dueAt: iso(s.dueAt),
    emailReceipts: s.emailReceipts,
  };
}

/** The notes of stored settings come from the same check as a save, so the page explains them the same way. */
export function notesOf(view: SettingsView): string[] {
  const input: SettingsInput = view;
  const check = checkSettings(input);
  return check.ok ? check.notes : [];
}

export async function readResourceSettings(db: Kysely<Database>, session: LtiSession): Promise<SettingsAnswer> {
  const resourceId = await requireInstructorResource(db, session);
  const view = settingsView(await loadSettings(db, resourceId));
  return { settings: view, notes: notesOf(view) };
}
