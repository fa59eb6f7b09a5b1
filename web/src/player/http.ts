/**
 * The HTTP side of the attempt protocol: `POST /api/attempts/:id/batches` (and the beacon body),
 * and `resendStoredBatches`, which a page runs before it fetches `launch` so that the values it
 * resumes from include whatever an earlier page left unacknowledged.
 *
 * No browser globals: fetch and storage are injected.
 */
import { Outbox, type StorageLike } from './outbox.js';
import { type BatchesResponse, type PendingBatch, type Refusal, parseBatchesResponse, toWire } from './protocol.js';

export type FetchLike = (url: string, init: RequestInit) => Promise<Response>;

export type PostResult =
  | { ok: true; acked: number[]; refused: Refusal[] }
  | { ok: false; status: number | null; message: string };

/** At most this many batches, and about this many bytes of JSON, in one request or beacon. */
export const MAX_BATCHES_PER_REQUEST = 50;
export const MAX_REQUEST_BYTES = 512 * 1024;
export const MAX_BEACON_BYTES = 60 * 1024;

/**
 * Groups batches by session (the HTTP body carries one session id), in seq order, and cuts
 * each group into requests of at most `maxBatches` and about `maxBytes` (a single batch larger
 * than that still goes alone).
 */
export function groupForRequests(
  batches: readonly PendingBatch[],
  maxBatches = MAX_BATCHES_PER_REQUEST,
  maxBytes = MAX_REQUEST_BYTES,
): { sessionId: string; batches: PendingBatch[] }[] {
  const bySession = new Map<string, PendingBatch[]>();
  for (const batch of batches) {
    const list = bySession.get(batch.sessionId);
    if (list === undefined) bySession.set(batch.sessionId, [batch]);
    else list.push(batch);
  }
  const groups: { sessionId: string; batches: PendingBatch[] }[] = [];
  for (const [sessionId, list] of bySession) {
    list.sort((a, b) => a.seq - b.seq);
    let current: PendingBatch[] = [];
    let bytes = 0;
    for (const batch of list) {
      const size = JSON.stringify(toWire(batch)).length;
      if (current.length > 0 && (current.length >= maxBatches || bytes + size > maxBytes)) {
        groups.push({ sessionId, batches: current });
        current = [];
        bytes = 0;
      }
      current.push(batch);
      bytes += size;
    }
    if (current.length > 0) groups.push({ sessionId, batches: current });
  }
  return groups;
}

async function errorMessage(response: Response): Promise<string> {
  try {
    const body: unknown = await response.json();
    if (typeof body === 'object' && body !== null && 'error' in body) {
      const error: unknown = body.error;
      if (typeof error === 'object' && error !== null && 'message' in error && typeof error.message === 'string') {
        return error.message;
      }
    }
  } catch {
    // Not the API's JSON error.
  }
  return `The server answered with an error (HTTP ${response.status}).`;
}

/** Posts batches of one session. Never throws. */
export async function postBatches(
  fetchFn: FetchLike,
  url: string,
  token: string | null,
  sessionId: string,
  batches: readonly PendingBatch[],
): Promise<PostResult> {
  const headers: Record<string, string> = { 'Content-Type': 'application/json', Accept: 'application/json' };
  if (token !== null) headers.Authorization = `Bearer ${token}`;
  let response: Response;
  try {
    response = await fetchFn(url, {
      method: 'POST',
      headers,
      credentials: 'omit',
      body: JSON.stringify({ sessionId, batches: batches.map(toWire) }),
    });
  } catch {
    return { ok: false, status: null, message: 'The server could not be reached.' };
  }
  if (response.status !== 200) {
    return { ok: false, status: response.status, message: await errorMessage(response) };
  }
  let parsed: BatchesResponse | null = null;
  try {
    parsed = parseBatchesResponse(await response.json());
  } catch {
    parsed = null;
  }
  if (parsed === null) return { ok: false, status: 200, message: 'The server sent an answer this page does not understand.' };
  return { ok: true, acked: parsed.acked, refused: parsed.refused };
}

/** The beacon bodies for these batches: the HTTP body plus the token, each under the beacon size limit. */
export function beaconBodies(batches: readonly PendingBatch[], token: string | null): string[] {
  return groupForRequests(batches, MAX_BATCHES_PER_REQUEST, MAX_BEACON_BYTES - 1024).map((group) =>
    JSON.stringify({ token, sessionId: group.sessionId, batches: group.batches.map(toWire) }),
  );
}

export interface ResendOptions {
  attemptId: number;
  storage: StorageLike | null;
  fetch: FetchLike;
  /** `POST /api/attempts/:id/batches` */
  batchesUrl: string;
  getToken: () => string | null;
}

export interface ResendResult {
  /** 'done': nothing left to send (acknowledged or refused); 'failed': some batches could not be sent. */
  outcome: 'done' | 'failed';
  /** HTTP status of the failure (null when the server could not be reached). */
  status?: number | null;
  message?: string;
  sent: number;
  refused: Refusal[];
}

/**
 * Sends every batch stored for the attempt (left by an earlier page), with its original session
 * id and seq, and forgets those the server acknowledged or refused.
 */
export async function resendStoredBatches(options: ResendOptions): Promise<ResendResult> {
  const outbox = new Outbox({ attemptId: options.attemptId, sessionId: '', storage: options.storage });
  let sent = 0;
  const refused: Refusal[] = [];
  for (const group of groupForRequests(outbox.sealedBatches())) {
    const result = await postBatches(
      options.fetch,
      options.batchesUrl,
      options.getToken(),
      group.sessionId,
      group.batches,
    );
    if (!result.ok) {
      outbox.persist();
      return { outcome: 'failed', status: result.status, message: result.message, sent, refused };
    }
    for (const seq of result.acked) if (outbox.resolve(group.sessionId, seq)) sent++;
    for (const refusal of result.refused) {
      if (outbox.resolve(group.sessionId, refusal.seq)) refused.push(refusal);
    }
    outbox.persist();
  }
  // Batches the server neither acknowledged nor refused stay stored for the next try.
  return outbox.isEmpty
    ? { outcome: 'done', sent, refused }
    : { outcome: 'failed', status: 200, message: 'The server did not confirm every saved answer.', sent, refused };
}
