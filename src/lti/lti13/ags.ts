/**
 * Assignment and Grade Services 2.0: line items (list, find by resourceId, create, get),
 * scores (POST) and results (GET). Protocol only: the caller brings a token from
 * ServiceTokenClient and decides what to do with an AgsError from its `retryable`.
 */
import { LTI13_SERVICES } from '../constants.js';
import { AgsError } from './service-errors.js';
import {
  type ServiceCall,
  bearer,
  forEachPage,
  isObject,
  parseJsonArray,
  parseJsonObject,
  sendServiceRequest,
  withQuery,
} from './service-http.js';

export { AgsError } from './service-errors.js';

const MEDIA = LTI13_SERVICES.mediaTypes;

export interface LineItem {
  /** The line item's own URL. */
  id: string;
  scoreMaximum: number;
  label: string;
  resourceId: string | null;
  tag: string | null;
  resourceLinkId: string | null;
  startDateTime: string | null;
  endDateTime: string | null;
}

export interface NewLineItem {
  scoreMaximum: number;
  label: string;
  resourceId?: string;
  tag?: string;
  resourceLinkId?: string;
  startDateTime?: string;
  endDateTime?: string;
}

export interface LineItemFilter {
  resourceId?: string;
  tag?: string;
  resourceLinkId?: string;
  /** Page size asked of the platform; the platform may choose another. */
  limit?: number;
}

export type ActivityProgress = 'Initialized' | 'Started' | 'InProgress' | 'Submitted' | 'Completed';
export type GradingProgress = 'FullyGraded' | 'Pending' | 'PendingManual' | 'Failed' | 'NotReady';

export const ACTIVITY_PROGRESS: readonly ActivityProgress[] = ['Initialized', 'Started', 'InProgress', 'Submitted', 'Completed'];
export const GRADING_PROGRESS: readonly GradingProgress[] = ['FullyGraded', 'Pending', 'PendingManual', 'Failed', 'NotReady'];

export interface Score {
  userId: string;
  /** Absent while there is nothing to grade yet (a Started score). */
  scoreGiven?: number;
  /** Required with scoreGiven. */
  scoreMaximum?: number;
  /** Epoch milliseconds of the event the score describes; sent as ISO 8601 with milliseconds. */
  timestamp: number;
  activityProgress: ActivityProgress;
  gradingProgress: GradingProgress;
  comment?: string;
}

export interface AgsResult {
  id: string | null;
  userId: string;
  resultScore: number | null;
  /** The platform's maximum; AGS says 1 when it sends none. */
  resultMaximum: number;
  comment: string | null;
  scoreOf: string | null;
}

function text(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

function num(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/** A line item from a platform's JSON, or null when it has no id to address it by. */
export function parseLineItem(value: unknown): LineItem | null {
  if (!isObject(value)) return null;
  const id = text(value.id);
  if (id === null || id === '') return null;
  return {
    id,
    scoreMaximum: num(value.scoreMaximum) ?? 0,
    label: text(value.label) ?? '',
    resourceId: text(value.resourceId),
    tag: text(value.tag),
    resourceLinkId: text(value.resourceLinkId),
    startDateTime: text(value.startDateTime),
    endDateTime: text(value.endDateTime),
  };
}

/**
 * `<lineitem>/<segment>`, keeping the line item URL's query string: some platforms put part of
 * the address there (`…/lineitems/7/lineitem?type_id=2` has its scores at
 * `…/lineitems/7/lineitem/scores?type_id=2`), so the segment goes before the `?`.
 */
export function lineItemSubUrl(lineItemUrl: string, segment: 'scores' | 'results'): string {
  try {
    const url = new URL(lineItemUrl);
    url.pathname = `${url.pathname.replace(/\/+$/, '')}/${segment}`;
    return url.href;
  } catch {
    return lineItemUrl; // sendServiceRequest refuses it as an invalid URL.
  }
}

/** Every line item of the context the platform shows the tool, following `rel="next"` pages. */
export async function listLineItems(lineItemsUrl: string, filter: LineItemFilter, call: ServiceCall): Promise<LineItem[]> {
  const what = "The platform's line items service";
  const first = withQuery(lineItemsUrl, {
    resource_id: filter.resourceId,
    tag: filter.tag,
    resource_link_id: filter.resourceLinkId,
    limit: filter.limit,
  });
  const items: LineItem[] = [];
  await forEachPage(
    first,
    (url) => sendServiceRequest({ method: 'GET', url, headers: { Authorization: bearer(call), Accept: MEDIA.lineItemContainer }, what }, call, AgsError),
    (response) => {
      for (const entry of parseJsonArray(response, what, AgsError)) {
        const item = parseLineItem(entry);
        if (item !== null) items.push(item);
      }
    },
    (description) => new AgsError({ kind: 'malformed', status: null, description: `${what}: ${description}`, retryable: false }),
  );
  return items;
}

/**
 * The line item declaring this resourceId (and tag, when given), or null. The filter is also
 * applied here because a platform may ignore the query parameters and answer every item.
 */
export async function findLineItem(
  lineItemsUrl: string,
  match: { resourceId: string; tag?: string },
  call: ServiceCall,
): Promise<LineItem | null> {
  const items = await listLineItems(lineItemsUrl, { resourceId: match.resourceId, tag: match.tag }, call);
  return items.find((i) => i.resourceId === match.resourceId && (match.tag === undefined || i.tag === match.tag)) ?? null;
}

function checkNewLineItem(item: NewLineItem): void {
  if (!Number.isFinite(item.scoreMaximum) || item.scoreMaximum <= 0) {
    throw new AgsError({ kind: 'invalid', status: null, description: `A line item needs a positive scoreMaximum (got ${item.scoreMaximum}).`, retryable: false });
  }
  if (item.label.trim() === '') {
    throw new AgsError({ kind: 'invalid', status: null, description: 'A line item needs a label.', retryable: false });
  }
}

export async function createLineItem(lineItemsUrl: string, item: NewLineItem, call: ServiceCall): Promise<LineItem> {
  checkNewLineItem(item);
  const what = "The platform's line items service";
  const response = await sendServiceRequest(
    {
      method: 'POST',
      url: lineItemsUrl,
      headers: { Authorization: bearer(call), 'Content-Type': MEDIA.lineItem, Accept: MEDIA.lineItem },
      body: JSON.stringify(item),
      what,
    },
    call,
    AgsError,
  );
  const created = parseLineItem(parseJsonObject(response, what, AgsError));
  if (created === null) {
    // Not retryable: the platform may well have created it; a retry would make a second column.
    throw new AgsError({ kind: 'malformed', status: response.status, description: `${what} created a line item but answered no id.`, retryable: false });
  }
  return created;
}

export async function getLineItem(lineItemUrl: string, call: ServiceCall): Promise<LineItem> {
  const what = "The platform's line item";
  const response = await sendServiceRequest(
    { method: 'GET', url: lineItemUrl, headers: { Authorization: bearer(call), Accept: MEDIA.lineItem }, what },
    call,
    AgsError,
  );
  const item = parseLineItem(parseJsonObject(response, what, AgsError));
  if (item === null) {
    throw new AgsError({ kind: 'malformed', status: response.status, description: `${what} answered without an id.`, retryable: true });
  }
  return item;
}

/** The JSON body of a score, checked: a bad score is the tool's bug, never worth a retry. */
export function scoreBody(score: Score): Record<string, string | number> {
  const invalid = (description: string): AgsError => new AgsError({ kind: 'invalid', status: null, description, retryable: false });
  if (score.userId === '') throw invalid('A score needs a userId.');
  if (!ACTIVITY_PROGRESS.includes(score.activityProgress)) throw invalid(`Unknown activityProgress "${score.activityProgress}".`);
  if (!GRADING_PROGRESS.includes(score.gradingProgress)) throw invalid(`Unknown gradingProgress "${score.gradingProgress}".`);
  if (!Number.isFinite(score.timestamp)) throw invalid('A score needs a timestamp.');
  const body: Record<string, string | number> = {
    userId: score.userId,
    // toISOString always writes milliseconds, which platforms use to order scores sent within one second.
    timestamp: new Date(score.timestamp).toISOString(),
    activityProgress: score.activityProgress,
    gradingProgress: score.gradingProgress,
  };
  if (score.scoreGiven !== undefined) {
    if (!Number.isFinite(score.scoreGiven) || score.scoreGiven < 0) throw invalid(`scoreGiven must be a number >= 0 (got ${score.scoreGiven}).`);
    if (score.scoreMaximum === undefined || !Number.isFinite(score.scoreMaximum) || score.scoreMaximum <= 0) {
      throw invalid('scoreGiven needs a positive scoreMaximum.');
    }
    body.scoreGiven = score.scoreGiven;
    body.scoreMaximum = score.scoreMaximum;
  }
  if (score.comment !== undefined) body.comment = score.comment;
  return body;
}

/** Posts one score to `<lineitem>/scores`. Resolves with the platform's HTTP status (200, 201 or 204). */
export async function postScore(lineItemUrl: string, score: Score, call: ServiceCall): Promise<{ status: number }> {
  const body = JSON.stringify(scoreBody(score));
  const response = await sendServiceRequest(
    {
      method: 'POST',
      url: lineItemSubUrl(lineItemUrl, 'scores'),
      headers: { Authorization: bearer(call), 'Content-Type': MEDIA.score },
      body,
      what: "The platform's score service",
    },
    call,
    AgsError,
  );
  return { status: response.status };
}

function parseResult(value: unknown): AgsResult | null {
  if (!isObject(value)) return null;
  const userId = text(value.userId);
  if (userId === null || userId === '') return null;
  return {
    id: text(value.id),
    userId,
    resultScore: num(value.resultScore),
    resultMaximum: num(value.resultMaximum) ?? 1,
    comment: text(value.comment),
    scoreOf: text(value.scoreOf),
  };
}

/** The results (gradebook cells) of a line item, for one user or all, following `rel="next"` pages. */
export async function readResults(lineItemUrl: string, filter: { userId?: string; limit?: number }, call: ServiceCall): Promise<AgsResult[]> {
  const what = "The platform's result service";
  const first = withQuery(lineItemSubUrl(lineItemUrl, 'results'), { user_id: filter.userId, limit: filter.limit });
  const results: AgsResult[] = [];
  await forEachPage(
    first,
    (url) => sendServiceRequest({ method: 'GET', url, headers: { Authorization: bearer(call), Accept: MEDIA.resultContainer }, what }, call, AgsError),
    (response) => {
      for (const entry of parseJsonArray(response, what, AgsError)) {
        const result = parseResult(entry);
        if (result !== null) results.push(result);
      }
    },
    (description) => new AgsError({ kind: 'malformed', status: null, description: `${what}: ${description}`, retryable: false }),
  );
  return results;
}
