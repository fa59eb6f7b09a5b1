import type { AttemptElement } from '../commands/save-attempt-batches.js';

/** Messages a player sends on the attempt websocket, checked by hand: this runs per message, at high rates. */
export type ClientMessage =
  | { type: 'hello'; token: string; sessionId: string }
  | { type: 'batch'; seq: number; elements: AttemptElement[]; terminate: boolean };

const KEY = /^[A-Za-z0-9_.-]{1,255}$/;
const SESSION = /^[A-Za-z0-9_-]{8,64}$/;
const MAX_ELEMENTS = 2000;
const MAX_VALUE = 65536;

function elements(value: unknown): AttemptElement[] | null {
  if (!Array.isArray(value) || value.length > MAX_ELEMENTS) return null;
  const out: AttemptElement[] = [];
  for (const item of value) {
    if (typeof item !== 'object' || item === null) return null;
    const { k, v, t } = item as Record<string, unknown>;
    if (typeof k !== 'string' || !KEY.test(k) || typeof v !== 'string' || v.length > MAX_VALUE) return null;
    if (t !== undefined && t !== null && typeof t !== 'number') return null;
    out.push({ k, v, t: typeof t === 'number' ? t : null });
  }
  return out;
}

export function parseClientMessage(text: string): ClientMessage | null {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof data !== 'object' || data === null) return null;
  const m = data as Record<string, unknown>;
  if (m.type === 'hello') {
    return typeof m.token === 'string' && typeof m.sessionId === 'string' && SESSION.test(m.sessionId) ? { type: 'hello', token: m.token, sessionId: m.sessionId } : null;
  }
  if (m.type === 'batch') {
    const list = elements(m.elements);
    const seq = m.seq;
    if (list === null || typeof seq !== 'number' || !Number.isInteger(seq) || seq < 1 || seq > 2147483647) return null;
    return { type: 'batch', seq, elements: list, terminate: m.terminate === true };
  }
  return null;
}
