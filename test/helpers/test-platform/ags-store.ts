import { PlatformRefusal } from './http-kit.js';
import { ACTIVITY_PROGRESS, GRADING_PROGRESS } from './lti-names.js';
import type { JsonObject, LineItem, ScoreRecord } from './types.js';

type LineItemFields = Omit<LineItem, 'id' | 'contextId' | 'createdBy'>;

const OPTIONAL_TEXT = ['resourceId', 'resourceLinkId', 'tag', 'startDateTime', 'endDateTime'] as const;

/** The fields of a line item JSON body, checked as a strict platform checks them. */
export function lineItemFields(body: JsonObject): LineItemFields {
  const { label, scoreMaximum } = body;
  if (typeof label !== 'string' || label.trim() === '') throw new PlatformRefusal(400, 'invalid_lineitem', 'label is required.');
  if (typeof scoreMaximum !== 'number' || !Number.isFinite(scoreMaximum) || scoreMaximum <= 0) {
    throw new PlatformRefusal(400, 'invalid_lineitem', 'scoreMaximum must be a number greater than 0.');
  }
  const out: LineItemFields = { label, scoreMaximum };
  for (const name of OPTIONAL_TEXT) {
    const value = body[name];
    if (value === undefined || value === null) continue;
    if (typeof value !== 'string') throw new PlatformRefusal(400, 'invalid_lineitem', `${name} must be a string.`);
    out[name] = value;
  }
  return out;
}

export function lineItemJson(item: LineItem): JsonObject {
  const { createdBy: _createdBy, contextId: _contextId, ...json } = item;
  return json;
}

/** The score fields, checked against the AGS score rules. */
export function scoreFields(body: JsonObject): Omit<ScoreRecord, 'at' | 'clientId' | 'contextId' | 'lineItemId' | 'applied' | 'body'> {
  const { userId, scoreGiven, scoreMaximum, activityProgress, gradingProgress, timestamp, comment } = body;
  const bad = (message: string): never => {
    throw new PlatformRefusal(400, 'invalid_score', message);
  };
  if (typeof userId !== 'string' || userId === '') bad('userId is required.');
  if (typeof activityProgress !== 'string' || !(ACTIVITY_PROGRESS as readonly string[]).includes(activityProgress)) {
    bad(`activityProgress must be one of ${ACTIVITY_PROGRESS.join(', ')}.`);
  }
  if (typeof gradingProgress !== 'string' || !(GRADING_PROGRESS as readonly string[]).includes(gradingProgress)) {
    bad(`gradingProgress must be one of ${GRADING_PROGRESS.join(', ')}.`);
  }
  if (typeof timestamp !== 'string' || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(timestamp)) {
    bad('timestamp must be an ISO 8601 date-time with a time zone.');
  }
  if (scoreGiven !== undefined && scoreGiven !== null) {
    if (typeof scoreGiven !== 'number' || !Number.isFinite(scoreGiven) || scoreGiven < 0) bad('scoreGiven must be a number >= 0.');
    if (typeof scoreMaximum !== 'number' || !Number.isFinite(scoreMaximum) || scoreMaximum <= 0) {
      bad('scoreMaximum is required with scoreGiven and must be > 0.');
    }
  }
  if (comment !== undefined && comment !== null && typeof comment !== 'string') bad('comment must be a string.');
  return {
    userId: userId as string,
    scoreGiven: typeof scoreGiven === 'number' ? scoreGiven : null,
    scoreMaximum: typeof scoreMaximum === 'number' ? scoreMaximum : null,
    activityProgress: activityProgress as string,
    gradingProgress: gradingProgress as string,
    timestamp: timestamp as string,
    comment: typeof comment === 'string' ? comment : null,
  };
}

/** Line items and scores kept in memory, keyed by line item URL. */
export class AgsStore {
  private readonly items = new Map<string, LineItem>();
  private readonly scoreLog: ScoreRecord[] = [];
  private sequence = 0;

  constructor(private readonly origin: string) {}

  lineItemsUrl(contextId: string): string {
    return `${this.origin}/contexts/${encodeURIComponent(contextId)}/lineitems`;
  }

  create(contextId: string, fields: LineItemFields, createdBy: string): LineItem {
    this.sequence++;
    const item: LineItem = { id: `${this.lineItemsUrl(contextId)}/${this.sequence}`, contextId, createdBy, ...fields };
    this.items.set(item.id, item);
    return item;
  }

  get(id: string): LineItem | undefined {
    return this.items.get(id);
  }

  update(id: string, fields: LineItemFields): LineItem {
    const old = this.items.get(id);
    if (old === undefined) throw new PlatformRefusal(404, 'not_found', 'No such line item.');
    const item: LineItem = { id, contextId: old.contextId, createdBy: old.createdBy, ...fields };
    this.items.set(id, item);
    return item;
  }

  delete(id: string): boolean {
    return this.items.delete(id);
  }

  list(contextId?: string): LineItem[] {
    return [...this.items.values()].filter((i) => contextId === undefined || i.contextId === contextId).map((i) => ({ ...i }));
  }

  /** Records the score; it is applied unless a score with an equal or later timestamp is on record. */
  addScore(score: Omit<ScoreRecord, 'applied'>): ScoreRecord {
    const previous = this.latest(score.lineItemId, score.userId);
    const applied = previous === undefined || Date.parse(score.timestamp) > Date.parse(previous.timestamp);
    const record = { ...score, applied };
    this.scoreLog.push(record);
    return record;
  }

  scores(): ScoreRecord[] {
    return this.scoreLog.map((s) => ({ ...s }));
  }

  /** The result per user: the latest applied score, scaled to the line item's scoreMaximum. */
  results(item: LineItem, userId: string | null): JsonObject[] {
    const users = new Set(this.scoreLog.filter((s) => s.lineItemId === item.id).map((s) => s.userId));
    const out: JsonObject[] = [];
    for (const user of users) {
      if (userId !== null && user !== userId) continue;
      const score = this.latest(item.id, user);
      if (score === undefined) continue;
      const result: JsonObject = { id: `${item.id}/results/${encodeURIComponent(user)}`, scoreOf: item.id, userId: user };
      if (score.scoreGiven !== null && score.scoreMaximum !== null) {
        result.resultScore = (score.scoreGiven / score.scoreMaximum) * item.scoreMaximum;
        result.resultMaximum = item.scoreMaximum;
      }
      if (score.comment !== null) result.comment = score.comment;
      out.push(result);
    }
    return out;
  }

  private latest(lineItemId: string, userId: string): ScoreRecord | undefined {
    let found: ScoreRecord | undefined;
    for (const s of this.scoreLog) if (s.applied && s.lineItemId === lineItemId && s.userId === userId) found = s;
    return found;
  }
}
