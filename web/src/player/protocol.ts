/**
 * The shapes of docs/attempt-protocol.md: what the player sends and what the server answers.
 * Pure data and parsers, with no browser globals, so the Node unit tests import them too.
 */
import { isRecord } from '../json-guards.js';

/** One SetValue, as queued for the server: key, value, client time in ms. */
export interface Element {
  k: string;
  v: string;
  t: number;
}

/** A batch as kept in the outbox and in localStorage (`lti-exam-pending:<attemptId>`). */
export interface PendingBatch {
  sessionId: string;
  seq: number;
  elements: Element[];
  terminate: boolean;
}

/** A batch on the wire (the session id travels in the hello or in the HTTP body). */
export interface WireBatch {
  seq: number;
  elements: Element[];
  terminate: boolean;
}

export type RefusalCode = 'attempt_ended' | 'forbidden' | 'bad_request' | (string & {});

export interface Refusal {
  seq: number;
  code: RefusalCode;
  message: string;
}

export type ServerMessage =
  | { type: 'ready' }
  | { type: 'ack'; seq: number }
  | ({ type: 'refused' } & Refusal)
  | { type: 'takeover'; message: string }
  | { type: 'ended'; reason: string }
  /** The attempt goes on, but its deadline moved (epoch ms; null: no deadline any more). */
  | { type: 'deadline'; deadline: number | null; message: string }
  /** Not in the protocol document: what this server says before it closes a socket it refuses (bad hello). */
  | { type: 'error'; message: string };

/** The answer of `POST /api/attempts/:id/batches`. */
export interface BatchesResponse {
  acked: number[];
  refused: Refusal[];
}

function isSeq(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1;
}

/** Parses one websocket message; null when it is not one the protocol defines. */
export function parseServerMessage(text: unknown): ServerMessage | null {
  if (typeof text !== 'string') return null;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (!isRecord(value)) return null;
  switch (value.type) {
    case 'ready':
      return { type: 'ready' };
    case 'ack':
      return isSeq(value.seq) ? { type: 'ack', seq: value.seq } : null;
    case 'refused':
      if (!isSeq(value.seq)) return null;
      return {
        type: 'refused',
        seq: value.seq,
        code: typeof value.code === 'string' ? value.code : 'bad_request',
        message: typeof value.message === 'string' ? value.message : 'The server refused some answers.',
      };
    case 'takeover':
      return {
        type: 'takeover',
        message:
          typeof value.message === 'string'
            ? value.message
            : 'This attempt was opened in another window, so it was closed here.',
      };
    case 'ended':
      return { type: 'ended', reason: typeof value.reason === 'string' ? value.reason : 'The attempt has ended.' };
    case 'deadline':
      if (value.deadline !== null && (typeof value.deadline !== 'number' || !Number.isFinite(value.deadline))) return null;
      return {
        type: 'deadline',
        deadline: value.deadline,
        message: typeof value.message === 'string' ? value.message : 'The deadline of this exam has changed.',
      };
    case 'error':
      return { type: 'error', message: typeof value.message === 'string' ? value.message : 'The server closed the connection.' };
    default:
      return null;
  }
}

/** Parses the answer of the HTTP batch endpoint; null when malformed. */
export function parseBatchesResponse(value: unknown): BatchesResponse | null {
  if (!isRecord(value)) return null;
  const { acked, refused } = value;
  if (!Array.isArray(acked) || !acked.every(isSeq)) return null;
  const refusals: Refusal[] = [];
  if (refused !== undefined) {
    if (!Array.isArray(refused)) return null;
    for (const item of refused) {
      if (!isRecord(item) || !isSeq(item.seq)) return null;
      refusals.push({
        seq: item.seq,
        code: typeof item.code === 'string' ? item.code : 'bad_request',
        message: typeof item.message === 'string' ? item.message : 'The server refused some answers.',
      });
    }
  }
  return { acked, refused: refusals };
}

function isElement(value: unknown): value is Element {
  return isRecord(value) && typeof value.k === 'string' && typeof value.v === 'string' && typeof value.t === 'number';
}

/** Checks one stored outbox entry (storage is shared with other tabs and older builds). */
export function isPendingBatch(value: unknown): value is PendingBatch {
  return (
    isRecord(value) &&
    typeof value.sessionId === 'string' &&
    value.sessionId !== '' &&
    isSeq(value.seq) &&
    Array.isArray(value.elements) &&
    value.elements.every(isElement) &&
    typeof value.terminate === 'boolean'
  );
}

export function toWire(batch: PendingBatch): WireBatch {
  return { seq: batch.seq, elements: batch.elements, terminate: batch.terminate };
}

export function batchKey(sessionId: string, seq: number): string {
  return `${sessionId}#${seq}`;
}

export function pendingStorageKey(attemptId: number | string): string {
  return `lti-exam-pending:${attemptId}`;
}
