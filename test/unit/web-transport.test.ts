/**
 * The player's transport (web/src/player/transport.ts, outbox.ts, http.ts) against fakes of the
 * websocket, fetch, storage, sendBeacon and the timers: the client side of docs/attempt-protocol.md.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resendStoredBatches } from '../../web/src/player/http.js';
import { Outbox, type StorageLike } from '../../web/src/player/outbox.js';
import type { Element, PendingBatch } from '../../web/src/player/protocol.js';
import { ENDED_TEXT, ENDING_TEXT, MEMORY_ONLY_TITLE, endText, indicatorText } from '../../web/src/player/status-text.js';
import {
  BACKOFF_CAP_MS,
  type SocketLike,
  type Timers,
  Transport,
  type TransportEvent,
  type TransportOptions,
  type TransportStatus,
  backoffDelay,
} from '../../web/src/player/transport.js';

const ATTEMPT = 42;
const KEY = `lti-exam-pending:${ATTEMPT}`;

/** Lets promise callbacks and microtasks run. */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
}

class MemoryStorage implements StorageLike {
  readonly map = new Map<string, string>();
  getItem(key: string): string | null {
    return this.map.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    this.map.set(key, value);
  }
  removeItem(key: string): void {
    this.map.delete(key);
  }
  stored(): PendingBatch[] {
    const text = this.map.get(KEY);
    return text === undefined ? [] : (JSON.parse(text) as PendingBatch[]);
  }
}

class BrokenStorage implements StorageLike {
  getItem(): string | null {
    throw new Error('SecurityError: storage is disabled');
  }
  setItem(): void {
    throw new Error('SecurityError: storage is disabled');
  }
  removeItem(): void {
    throw new Error('SecurityError: storage is disabled');
  }
}

class FakeTimers implements Timers {
  now = 0;
  private nextId = 1;
  private tasks: { id: number; at: number; delay: number; callback: () => void }[] = [];
  readonly scheduled: number[] = [];

  setTimeout(callback: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.tasks.push({ id, at: this.now + ms, delay: ms, callback });
    this.scheduled.push(ms);
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.tasks = this.tasks.filter((t) => t.id !== handle);
  }
  pendingDelays(): number[] {
    return this.tasks.map((t) => t.delay);
  }
  async advance(ms: number): Promise<void> {
    const target = this.now + ms;
    for (;;) {
      this.tasks.sort((a, b) => a.at - b.at);
      const next = this.tasks[0];
      if (next === undefined || next.at > target) break;
      this.tasks.shift();
      this.now = next.at;
      next.callback();
      await settle();
    }
    this.now = target;
    await settle();
  }
}

interface Sent {
  type: string;
  seq?: number;
  elements?: Element[];
  terminate?: boolean;
  token?: string;
  sessionId?: string;
}

class FakeSocket implements SocketLike {
  readyState = 0;
  readonly sent: Sent[] = [];
  closed = false;
  onopen: SocketLike['onopen'] = null;
  onmessage: SocketLike['onmessage'] = null;
  onclose: SocketLike['onclose'] = null;
  onerror: SocketLike['onerror'] = null;
  constructor(readonly url: string) {}
  send(data: string): void {
    if (this.readyState !== 1) throw new Error('InvalidStateError');
    this.sent.push(JSON.parse(data) as Sent);
  }
  close(): void {
    this.closed = true;
    this.readyState = 3;
  }
  open(): void {
    this.readyState = 1;
    this.onopen?.({});
  }
  receive(message: object): void {
    this.onmessage?.({ data: JSON.stringify(message) });
  }
  /** Opens, checks the hello, says ready. */
  accept(): void {
    this.open();
    this.receive({ type: 'ready' });
  }
  fail(): void {
    this.readyState = 3;
    this.onerror?.({});
    this.onclose?.({});
  }
  batches(): Sent[] {
    return this.sent.filter((m) => m.type === 'batch');
  }
}

function socketClass(): { Ctor: new (url: string) => FakeSocket; instances: FakeSocket[] } {
  const instances: FakeSocket[] = [];
  class Socket extends FakeSocket {
    constructor(url: string) {
      super(url);
      instances.push(this);
    }
  }
  return { Ctor: Socket, instances };
}

interface FetchCall {
  url: string;
  headers: Record<string, string>;
  body: { sessionId: string; batches: { seq: number; elements: Element[]; terminate: boolean }[] };
}

type FetchHandler = (call: FetchCall) => Response | Promise<Response>;

function fakeFetch(handler: FetchHandler = ackAll): { fetch: TransportOptions['fetch']; calls: FetchCall[]; setHandler(h: FetchHandler): void } {
  const calls: FetchCall[] = [];
  let current = handler;
  return {
    calls,
    setHandler(h) {
      current = h;
    },
    fetch: async (url, init) => {
      const call: FetchCall = {
        url,
        headers: init.headers as Record<string, string>,
        body: JSON.parse(String(init.body)) as FetchCall['body'],
      };
      calls.push(call);
      return current(call);
    },
  };
}

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
}

function ackAll(call: FetchCall): Response {
  return json(200, { acked: call.body.batches.map((b) => b.seq), refused: [] });
}

function offline(): never {
  throw new TypeError('Failed to fetch');
}

let clock = 1_000;
function el(k: string, v = 'x'): Element {
  return { k, v, t: clock++ };
}

interface Harness {
  transport: Transport;
  sockets: FakeSocket[];
  socket(): FakeSocket;
  timers: FakeTimers;
  storage: MemoryStorage;
  http: ReturnType<typeof fakeFetch>;
  beacons: { url: string; body: string }[];
  events: TransportEvent[];
  statuses: TransportStatus[];
}

function harness(overrides: Partial<TransportOptions> & { storage?: StorageLike | null; sessionId?: string } = {}): Harness {
  const { Ctor, instances } = socketClass();
  const timers = new FakeTimers();
  const storage = overrides.storage === undefined ? new MemoryStorage() : overrides.storage;
  const http = fakeFetch();
  const beacons: { url: string; body: string }[] = [];
  const events: TransportEvent[] = [];
  const statuses: TransportStatus[] = [];
  const transport = new Transport({
    attemptId: ATTEMPT,
    sessionId: 'session-b',
    getToken: () => 'tok-123',
    storage,
    WebSocket: Ctor,
    socketUrl: 'ws://lms.test/api/attempts/42/socket',
    fetch: http.fetch,
    batchesUrl: '/api/attempts/42/batches',
    beaconUrl: '/api/beacon/attempts/42/batches',
    sendBeacon: (url, body) => {
      beacons.push({ url, body });
      return true;
    },
    timers,
    random: () => 0.5,
    onEvent: (e) => events.push(e),
    onStatus: (s) => statuses.push(s),
    ...overrides,
  });
  return {
    transport,
    sockets: instances,
    socket() {
      const s = instances.at(-1);
      assert.ok(s, 'a websocket was opened');
      return s;
    },
    timers,
    storage: storage as MemoryStorage,
    http,
    beacons,
    events,
    statuses,
  };
}

function seqs(batches: { seq?: number }[]): number[] {
  return batches.map((b) => b.seq ?? -1);
}

describe('web transport: websocket batches', () => {
  it('says hello with the token and session id first, and numbers batches from 1', async () => {
    const h = harness();
    h.transport.start();
    h.transport.push(el('cmi.location', '1'));
    await settle();
    const socket = h.socket();
    assert.equal(socket.url, 'ws://lms.test/api/attempts/42/socket');
    socket.open();
    assert.deepEqual(socket.sent, [{ type: 'hello', token: 'tok-123', sessionId: 'session-b' }]);
    assert.equal(socket.batches().length, 0, 'nothing before ready');
    socket.receive({ type: 'ready' });
    assert.deepEqual(seqs(socket.batches()), [1]);
    assert.equal(socket.batches()[0]?.terminate, false);
    socket.receive({ type: 'ack', seq: 1 });
    h.transport.push(el('cmi.location', '2'));
    await settle();
    socket.receive({ type: 'ack', seq: 2 });
    h.transport.push(el('cmi.location', '3'));
    await settle();
    assert.deepEqual(seqs(socket.batches()), [1, 2, 3]);
    assert.deepEqual(
      socket.batches().map((b) => b.elements?.map((e) => e.v)),
      [['1'], ['2'], ['3']],
    );
  });

  it('sends at once when idle and coalesces what comes while a batch is in flight', async () => {
    const h = harness();
    h.transport.start();
    h.socket().accept();
    // A synchronous burst (Numbas sets 82 values at load) leaves as one batch.
    for (let i = 0; i < 5; i++) h.transport.push(el(`cmi.objectives.${i}.id`, `q${i}`));
    await settle();
    const socket = h.socket();
    assert.deepEqual(seqs(socket.batches()), [1]);
    assert.equal(socket.batches()[0]?.elements?.length, 5);
    h.transport.push(el('cmi.location', '1'));
    await settle();
    h.transport.push(el('cmi.suspend_data', 'a'));
    await settle();
    assert.deepEqual(seqs(socket.batches()), [1], 'waits while batch 1 is in flight');
    assert.equal(h.transport.status().unsaved, 7);
    socket.receive({ type: 'ack', seq: 1 });
    assert.deepEqual(seqs(socket.batches()), [1, 2]);
    assert.deepEqual(socket.batches()[1]?.elements?.map((e) => e.k), ['cmi.location', 'cmi.suspend_data']);
    socket.receive({ type: 'ack', seq: 2 });
    assert.equal(h.transport.status().unsaved, 0);
  });

  it('caps a batch at 200 elements, so that several batches are in flight', async () => {
    const h = harness();
    h.transport.start();
    h.socket().accept();
    h.transport.push(el('cmi.location', '0'));
    await settle();
    for (let i = 0; i < 450; i++) h.transport.push(el('cmi.suspend_data', String(i)));
    await settle();
    const socket = h.socket();
    assert.deepEqual(seqs(socket.batches()), [1, 2, 3], 'two full batches leave with batch 1 in flight');
    assert.deepEqual(
      socket.batches().map((b) => b.elements?.length),
      [1, 200, 200],
    );
    socket.receive({ type: 'ack', seq: 3 });
    assert.deepEqual(seqs(socket.batches()), [1, 2, 3], 'the rest waits until nothing is in flight');
    socket.receive({ type: 'ack', seq: 1 });
    socket.receive({ type: 'ack', seq: 2 });
    assert.deepEqual(seqs(socket.batches()), [1, 2, 3, 4]);
    assert.equal(socket.batches()[3]?.elements?.length, 50);
    assert.equal(socket.batches()[3]?.elements?.[49]?.v, '449', 'in order');
  });

  it('Commit (flush) sends the open batch even with batches in flight', async () => {
    const h = harness();
    h.transport.start();
    h.socket().accept();
    h.transport.push(el('a'));
    await settle();
    h.transport.push(el('b'));
    h.transport.flush();
    assert.deepEqual(seqs(h.socket().batches()), [1, 2]);
  });

  it('handles acks out of order, duplicate acks and acks for unknown batches', async () => {
    const h = harness();
    h.transport.start();
    const socket = h.socket();
    socket.accept();
    for (const k of ['a', 'b', 'c']) {
      h.transport.push(el(k));
      h.transport.flush();
    }
    assert.deepEqual(seqs(socket.batches()), [1, 2, 3]);
    assert.deepEqual(seqs(h.storage.stored()), [1, 2, 3]);
    socket.receive({ type: 'ack', seq: 3 });
    socket.receive({ type: 'ack', seq: 3 });
    assert.deepEqual(seqs(h.storage.stored()), [1, 2]);
    socket.receive({ type: 'ack', seq: 99 });
    socket.receive({ type: 'ack', seq: 1 });
    assert.equal(h.transport.status().unsaved, 1);
    socket.receive({ type: 'ack', seq: 2 });
    socket.receive({ type: 'ack', seq: 1 });
    assert.equal(h.transport.status().unsaved, 0);
    assert.equal(h.storage.map.has(KEY), false, 'storage emptied when everything is acknowledged');
    assert.deepEqual(seqs(socket.batches()), [1, 2, 3], 'nothing sent twice');
    assert.equal(h.events.length, 0);
  });

  it('drops a refused batch, reports it and keeps going', async () => {
    const h = harness();
    h.transport.start();
    const socket = h.socket();
    socket.accept();
    h.transport.push(el('a'));
    h.transport.flush();
    h.transport.push(el('b'));
    h.transport.flush();
    socket.receive({ type: 'refused', seq: 1, code: 'bad_request', message: 'That value is too long.' });
    assert.deepEqual(h.events, [{ type: 'refused', seq: 1, code: 'bad_request', message: 'That value is too long.' }]);
    assert.deepEqual(seqs(h.storage.stored()), [2]);
    assert.equal(h.transport.status().unsaved, 1);
    assert.equal(h.transport.status().lastError, 'That value is too long.');
    socket.receive({ type: 'ack', seq: 2 });
    assert.equal(h.transport.status().unsaved, 0);
    // A socket drop does not bring the refused batch back.
    socket.fail();
    await h.timers.advance(1_000);
    h.socket().accept();
    assert.equal(h.socket().batches().length, 0);
  });

  it('resends unacknowledged batches with their seq after a reconnect', async () => {
    const h = harness();
    h.transport.start();
    const first = h.socket();
    first.accept();
    h.transport.push(el('a'));
    h.transport.flush();
    h.transport.push(el('b'));
    h.transport.flush();
    first.receive({ type: 'ack', seq: 1 });
    first.fail();
    h.transport.push(el('c'));
    await settle();
    assert.equal(h.transport.status().connection, 'offline');
    assert.equal(h.sockets.length, 1, 'reconnects after a backoff, not at once');
    await h.timers.advance(600);
    const second = h.socket();
    assert.notEqual(second, first);
    second.open();
    assert.deepEqual(second.sent[0], { type: 'hello', token: 'tok-123', sessionId: 'session-b' }, 'same session id');
    second.receive({ type: 'ready' });
    assert.deepEqual(seqs(second.batches()), [2, 3]);
    assert.deepEqual(second.batches().map((b) => b.elements?.map((e) => e.k)), [['b'], ['c']]);
  });

  it('treats a socket that never says ready as failed (connect timeout)', async () => {
    const h = harness({ connectTimeoutMs: 5_000 });
    h.transport.start();
    h.socket().open();
    await h.timers.advance(5_000);
    assert.equal(h.sockets[0]?.closed, true);
    assert.equal(h.transport.status().connection, 'offline');
    await h.timers.advance(600);
    assert.equal(h.sockets.length, 2);
  });

  it('stops on takeover and on ended, keeping the outbox stored', async () => {
    for (const message of [
      { type: 'takeover', message: 'This attempt was opened in another window.' },
      { type: 'ended', reason: 'The exam is closed.' },
    ]) {
      const h = harness();
      h.transport.start();
      const socket = h.socket();
      socket.accept();
      h.transport.push(el('a'));
      await settle();
      socket.receive(message);
      assert.equal(h.events.length, 1);
      assert.equal(h.events[0]?.type, message.type);
      assert.equal(h.events[0] && 'message' in h.events[0] ? h.events[0].message : '', 'message' in message ? message.message : message.reason);
      assert.equal(socket.closed, true);
      assert.equal(h.transport.status().stopped, true);
      h.transport.push(el('b'));
      await h.timers.advance(60_000);
      assert.equal(h.sockets.length, 1, 'no reconnect');
      assert.equal(h.http.calls.length, 0);
      assert.deepEqual(seqs(h.storage.stored()), [1]);
    }
  });
});

describe('web transport: terminate', () => {
  it('marks the last batch terminate: true', async () => {
    const h = harness();
    h.transport.start();
    const socket = h.socket();
    socket.accept();
    h.transport.push(el('cmi.completion_status', 'completed'));
    h.transport.push(el('cmi.exit', 'normal'));
    h.transport.terminate();
    assert.deepEqual(
      socket.batches().map((b) => [b.seq, b.elements?.length, b.terminate]),
      [[1, 2, true]],
    );
    assert.equal(h.transport.status().terminate, 'pending');
    socket.receive({ type: 'ack', seq: 1 });
    assert.equal(h.transport.status().terminate, 'acked');
    assert.equal(h.transport.status().unsaved, 0);
    assert.equal(socket.closed, true, 'nothing more to send after the end');
    await h.timers.advance(60_000);
    assert.equal(h.sockets.length, 1);
  });

  it('holds the terminate batch until every earlier batch is acknowledged', async () => {
    const h = harness();
    h.transport.start();
    const socket = h.socket();
    socket.accept();
    h.transport.push(el('a'));
    h.transport.flush();
    h.transport.push(el('b'));
    h.transport.flush();
    h.transport.push(el('c'));
    h.transport.terminate();
    assert.deepEqual(seqs(socket.batches()), [1, 2]);
    socket.receive({ type: 'ack', seq: 2 });
    assert.deepEqual(seqs(socket.batches()), [1, 2]);
    socket.receive({ type: 'ack', seq: 1 });
    assert.deepEqual(
      socket.batches().map((b) => [b.seq, b.terminate]),
      [
        [1, false],
        [2, false],
        [3, true],
      ],
    );
    assert.deepEqual(socket.batches()[2]?.elements?.map((e) => e.k), ['c']);
  });

  it('sends an empty terminate batch when nothing is queued', async () => {
    const h = harness();
    h.transport.start();
    const socket = h.socket();
    socket.accept();
    h.transport.terminate();
    assert.deepEqual(socket.batches(), [{ type: 'batch', seq: 1, elements: [], terminate: true }]);
    socket.receive({ type: 'refused', seq: 1, code: 'attempt_ended', message: 'This attempt has already ended.' });
    assert.equal(h.transport.status().terminate, 'refused');
    assert.equal(h.events[0]?.type, 'refused');
  });
});

describe('web transport: HTTP fallback', () => {
  it('posts batches over HTTP when the websocket cannot connect, and keeps retrying the socket', async () => {
    const h = harness();
    h.transport.start();
    h.transport.push(el('cmi.location', '1'));
    await settle();
    h.socket().fail();
    await settle();
    assert.equal(h.http.calls.length, 0, 'one failure is not yet "keeps failing"');
    await h.timers.advance(600);
    assert.equal(h.sockets.length, 2);
    h.socket().fail();
    await settle();
    assert.equal(h.http.calls.length, 1);
    const call = h.http.calls[0];
    assert.equal(call?.url, '/api/attempts/42/batches');
    assert.equal(call?.headers.Authorization, 'Bearer tok-123');
    assert.deepEqual(call?.body, {
      sessionId: 'session-b',
      batches: [{ seq: 1, elements: [{ k: 'cmi.location', v: '1', t: call?.body.batches[0]?.elements[0]?.t }], terminate: false }],
    });
    assert.equal(h.transport.status().unsaved, 0);
    assert.equal(h.transport.status().channel, 'http');
    assert.equal(h.transport.status().connection, 'online');
    // More elements go by HTTP too, numbered on.
    h.transport.push(el('cmi.location', '2'));
    await settle();
    assert.deepEqual(seqs(h.http.calls[1]?.body.batches ?? []), [2]);
    // The socket comes back: batches go by it again.
    await h.timers.advance(1_200);
    h.socket().accept();
    h.transport.push(el('cmi.location', '3'));
    await settle();
    assert.deepEqual(seqs(h.socket().batches()), [3]);
    assert.equal(h.http.calls.length, 2);
  });

  it('uses HTTP from the start without a WebSocket, coalescing while a request is in flight', async () => {
    const h = harness({ WebSocket: null });
    let release: () => void = () => {};
    h.http.setHandler(
      (call) =>
        new Promise<Response>((resolve) => {
          release = () => resolve(ackAll(call));
        }),
    );
    h.transport.start();
    h.transport.push(el('a'));
    await settle();
    h.transport.push(el('b'));
    await settle();
    h.transport.push(el('c'));
    await settle();
    assert.equal(h.http.calls.length, 1);
    release();
    await settle();
    assert.equal(h.http.calls.length, 2);
    assert.deepEqual(h.http.calls[1]?.body.batches.map((b) => b.elements.map((e) => e.k)), [['b', 'c']]);
    release();
    await settle();
    assert.equal(h.transport.status().unsaved, 0);
  });

  it('retries failed HTTP requests with backoff and shows the unsaved count offline', async () => {
    const h = harness({ WebSocket: null });
    h.http.setHandler(offline);
    h.transport.start();
    h.transport.push(el('a'));
    h.transport.push(el('b'));
    await settle();
    assert.equal(h.http.calls.length, 1);
    const status = h.transport.status();
    assert.equal(status.connection, 'offline');
    assert.equal(status.unsaved, 2);
    await h.timers.advance(500);
    assert.equal(h.http.calls.length, 2);
    await h.timers.advance(1_000);
    assert.equal(h.http.calls.length, 3);
    h.http.setHandler(ackAll);
    h.transport.kick();
    await settle();
    assert.equal(h.http.calls.length, 4, 'kick (the browser is online again) retries at once');
    assert.equal(h.transport.status().unsaved, 0);
    assert.equal(h.transport.status().connection, 'online');
  });

  it('applies refusals from the HTTP answer', async () => {
    const h = harness({ WebSocket: null });
    h.http.setHandler(() => json(200, { acked: [], refused: [{ seq: 1, code: 'forbidden', message: 'Not yours.' }] }));
    h.transport.start();
    h.transport.push(el('a'));
    await settle();
    assert.equal(h.transport.status().unsaved, 0);
    assert.deepEqual(h.events, [{ type: 'refused', seq: 1, code: 'forbidden', message: 'Not yours.' }]);
  });
});

describe('web transport: backoff', () => {
  it('doubles from 0.5 s and never exceeds 30 s, with jitter', () => {
    const mid = () => 0.5;
    assert.equal(backoffDelay(0, mid), 500);
    assert.equal(backoffDelay(1, mid), 1_000);
    assert.equal(backoffDelay(2, mid), 2_000);
    assert.equal(backoffDelay(5, mid), 16_000);
    assert.equal(backoffDelay(6, mid), 30_000);
    assert.equal(backoffDelay(1_000, mid), 30_000);
    for (let attempt = 0; attempt < 40; attempt++) {
      for (const r of [0, 0.25, 0.999999]) {
        const d = backoffDelay(attempt, () => r);
        assert.ok(d <= BACKOFF_CAP_MS, `attempt ${attempt}: ${d} <= cap`);
        assert.ok(d >= 400, `attempt ${attempt}: ${d} >= 400`);
      }
    }
    assert.equal(backoffDelay(0, () => 0), 400);
    assert.equal(backoffDelay(0, () => 0.999999), 600);
    assert.equal(backoffDelay(10, () => 0), 24_000, 'jitter below the cap too');
  });

  it('reconnects for ever, the waits growing to the cap', async () => {
    const h = harness({ httpFallbackAfter: 1_000, connectTimeoutMs: 1e9 });
    h.transport.start();
    for (let i = 0; i < 12; i++) {
      h.socket().fail();
      await h.timers.advance(BACKOFF_CAP_MS);
    }
    assert.equal(h.sockets.length, 13);
    const waits = h.timers.scheduled.filter((ms) => ms !== 1e9);
    assert.deepEqual(waits.slice(0, 7), [500, 1_000, 2_000, 4_000, 8_000, 16_000, 30_000]);
    assert.ok(waits.every((ms) => ms <= BACKOFF_CAP_MS));
    // A successful connection resets the backoff.
    h.socket().accept();
    h.socket().fail();
    assert.ok(h.timers.pendingDelays().includes(500));
  });
});

describe('web transport: persistence and reload', () => {
  it('keeps every unacknowledged batch in localStorage, the open one included', async () => {
    const h = harness();
    h.transport.start();
    h.socket().accept();
    h.transport.push(el('a'));
    await settle();
    h.transport.push(el('b'));
    await settle();
    const stored = h.storage.stored();
    assert.deepEqual(
      stored.map((b) => [b.sessionId, b.seq, b.elements.map((e) => e.k), b.terminate]),
      [
        ['session-b', 1, ['a'], false],
        ['session-b', 2, ['b'], false],
      ],
    );
  });

  it('a new page over the same storage resends the old batches by HTTP with their session and seq', async () => {
    const storage = new MemoryStorage();
    const old = harness({ storage, sessionId: 'session-a' });
    // (the harness fixes sessionId through overrides)
    old.transport.start();
    old.socket().accept();
    old.transport.push(el('cmi.location', '1'));
    old.transport.flush();
    old.transport.push(el('cmi.location', '2'));
    await settle();
    assert.deepEqual(seqs(storage.stored()), [1, 2]);
    assert.ok(storage.stored().every((b) => b.sessionId === 'session-a'));
    // The page is reloaded: no ack ever came. The next page resends before fetching launch.
    const http = fakeFetch();
    const result = await resendStoredBatches({
      attemptId: ATTEMPT,
      storage,
      fetch: http.fetch,
      batchesUrl: '/api/attempts/42/batches',
      getToken: () => 'tok-456',
    });
    assert.equal(result.outcome, 'done');
    assert.equal(result.sent, 2);
    assert.equal(http.calls.length, 1);
    assert.equal(http.calls[0]?.headers.Authorization, 'Bearer tok-456');
    assert.equal(http.calls[0]?.body.sessionId, 'session-a');
    assert.deepEqual(
      http.calls[0]?.body.batches.map((b) => [b.seq, b.elements.map((e) => e.v), b.terminate]),
      [
        [1, ['1'], false],
        [2, ['2'], false],
      ],
    );
    assert.equal(storage.map.has(KEY), false);
  });

  it('resendStoredBatches keeps the batches when the server cannot be reached', async () => {
    const storage = new MemoryStorage();
    const batches: PendingBatch[] = [
      { sessionId: 's1', seq: 4, elements: [el('a')], terminate: false },
      { sessionId: 's2', seq: 1, elements: [el('b')], terminate: false },
    ];
    storage.setItem(KEY, JSON.stringify(batches));
    const down = fakeFetch(offline);
    const failed = await resendStoredBatches({ attemptId: ATTEMPT, storage, fetch: down.fetch, batchesUrl: '/b', getToken: () => 't' });
    assert.equal(failed.outcome, 'failed');
    assert.equal(failed.status, null);
    assert.deepEqual(storage.stored(), batches);
    const up = fakeFetch((call) =>
      call.body.sessionId === 's2'
        ? json(200, { acked: [], refused: [{ seq: 1, code: 'attempt_ended', message: 'Ended.' }] })
        : ackAll(call),
    );
    const done = await resendStoredBatches({ attemptId: ATTEMPT, storage, fetch: up.fetch, batchesUrl: '/b', getToken: () => 't' });
    assert.equal(done.outcome, 'done');
    assert.deepEqual(up.calls.map((c) => c.body.sessionId), ['s1', 's2'], 'one request per session');
    assert.deepEqual(done.refused, [{ seq: 1, code: 'attempt_ended', message: 'Ended.' }]);
    assert.equal(storage.map.has(KEY), false);
  });

  it('a transport adopts stored batches of another session and sends them by HTTP, its own by socket', async () => {
    const storage = new MemoryStorage();
    storage.setItem(KEY, JSON.stringify([{ sessionId: 'session-a', seq: 7, elements: [el('old')], terminate: false }]));
    const h = harness({ storage });
    assert.equal(h.transport.status().unsaved, 1);
    h.transport.start();
    await settle();
    assert.equal(h.http.calls.length, 1);
    assert.equal(h.http.calls[0]?.body.sessionId, 'session-a');
    assert.deepEqual(seqs(h.http.calls[0]?.body.batches ?? []), [7]);
    h.socket().accept();
    h.transport.push(el('new'));
    await settle();
    assert.deepEqual(seqs(h.socket().batches()), [1], 'own session numbered from 1 on the socket');
    assert.equal(h.http.calls.length, 1);
    assert.deepEqual(storage.stored().map((b) => [b.sessionId, b.seq]), [['session-b', 1]]);
  });

  it('merges with batches another tab stored meanwhile', async () => {
    const storage = new MemoryStorage();
    const h = harness({ storage });
    h.transport.start();
    h.socket().accept();
    h.transport.push(el('mine'));
    await settle();
    // Another tab writes its own batch under the same key.
    const stored = storage.stored();
    stored.push({ sessionId: 'other-tab', seq: 3, elements: [el('theirs')], terminate: false });
    storage.setItem(KEY, JSON.stringify(stored));
    h.socket().receive({ type: 'ack', seq: 1 });
    assert.deepEqual(storage.stored().map((b) => [b.sessionId, b.seq]), [['other-tab', 3]]);
  });

  it('keeps the outbox in memory when storage is refused, and says so', async () => {
    for (const storage of [null, new BrokenStorage()]) {
      const h = harness({ storage });
      h.transport.start();
      h.socket().accept();
      h.transport.push(el('a'));
      await settle();
      assert.equal(h.transport.status().persistent, false);
      assert.deepEqual(seqs(h.socket().batches()), [1]);
      h.socket().receive({ type: 'ack', seq: 1 });
      assert.equal(h.transport.status().unsaved, 0);
    }
  });

  it('ignores malformed stored entries', () => {
    const storage = new MemoryStorage();
    storage.setItem(
      KEY,
      JSON.stringify([{ sessionId: 's', seq: 1, elements: [{ k: 'a', v: 'b', t: 1 }], terminate: false }, { nonsense: true }, 5]),
    );
    const outbox = new Outbox({ attemptId: ATTEMPT, sessionId: 'mine', storage });
    assert.deepEqual(seqs([...outbox.sealedBatches()]), [1]);
    storage.setItem(KEY, 'not json');
    assert.equal(new Outbox({ attemptId: ATTEMPT, sessionId: 'mine', storage }).isEmpty, true);
  });
});

describe('web transport: page hidden or closing', () => {
  it('beacons every unacknowledged batch, with the token, when the socket is not open', async () => {
    const storage = new MemoryStorage();
    storage.setItem(KEY, JSON.stringify([{ sessionId: 'session-a', seq: 2, elements: [el('old')], terminate: false }]));
    const h = harness({ storage });
    h.http.setHandler(offline);
    h.transport.start();
    h.transport.push(el('a'));
    await settle();
    h.socket().fail();
    h.transport.push(el('b'));
    h.transport.flushOnHide();
    assert.equal(h.beacons.length, 2, 'one beacon per session');
    const bodies = h.beacons.map((b) => JSON.parse(b.body) as { token: string; sessionId: string; batches: { seq: number; elements: Element[] }[] });
    assert.ok(h.beacons.every((b) => b.url === '/api/beacon/attempts/42/batches'));
    assert.deepEqual(
      bodies.map((b) => [b.token, b.sessionId, b.batches.map((x) => [x.seq, x.elements.map((e) => e.k)])]),
      [
        ['tok-123', 'session-a', [[2, ['old']]]],
        ['tok-123', 'session-b', [[1, ['a', 'b']]]],
      ],
    );
    // The beaconed batch is sealed: what comes next gets a new seq.
    h.transport.push(el('c'));
    await settle();
    assert.deepEqual(
      storage.stored().filter((b) => b.sessionId === 'session-b').map((b) => [b.seq, b.elements.map((e) => e.k)]),
      [
        [1, ['a', 'b']],
        [2, ['c']],
      ],
    );
  });

  it('sends by the socket when it is open, without a beacon', async () => {
    const h = harness();
    h.transport.start();
    h.socket().accept();
    h.transport.push(el('a'));
    await settle();
    h.transport.push(el('b'));
    h.transport.flushOnHide();
    assert.deepEqual(seqs(h.socket().batches()), [1, 2]);
    assert.equal(h.beacons.length, 0);
  });
});

describe('web transport: review mode and test runs', () => {
  it('a disabled transport sends nothing, stores nothing and opens no socket', async () => {
    const storage = new MemoryStorage();
    storage.setItem(KEY, JSON.stringify([{ sessionId: 'session-a', seq: 1, elements: [el('old')], terminate: false }]));
    const before = storage.getItem(KEY);
    const h = harness({ storage, enabled: false });
    h.transport.start();
    h.transport.push(el('cmi.location', '5'));
    h.transport.flush();
    h.transport.terminate();
    h.transport.flushOnHide();
    await h.timers.advance(60_000);
    assert.equal(h.sockets.length, 0);
    assert.equal(h.http.calls.length, 0);
    assert.equal(h.beacons.length, 0);
    assert.equal(storage.getItem(KEY), before);
    assert.equal(h.transport.status().unsaved, 0);
  });
});

describe('web transport: what the indicator says', () => {
  const base: TransportStatus = {
    enabled: true,
    unsaved: 0,
    connection: 'online',
    channel: 'socket',
    persistent: true,
    terminate: 'none',
    stopped: false,
    lastError: null,
  };
  const normal = { mode: 'normal' as const, testRun: false };

  it('saved, saving, offline with the count', () => {
    assert.equal(indicatorText(base, normal).text, 'All answers saved');
    assert.equal(indicatorText({ ...base, unsaved: 3 }, normal).text, 'Saving…');
    assert.equal(indicatorText({ ...base, unsaved: 3, connection: 'connecting' }, normal).text, 'Saving…');
    assert.equal(
      indicatorText({ ...base, unsaved: 3, connection: 'offline' }, normal).text,
      'Offline — 3 unsaved answers (they will be sent when the connection returns)',
    );
    assert.equal(
      indicatorText({ ...base, unsaved: 1, connection: 'offline' }, normal).text,
      'Offline — 1 unsaved answer (they will be sent when the connection returns)',
    );
  });

  it('says in the title when answers live only in memory', () => {
    assert.equal(indicatorText(base, normal).title, '');
    assert.equal(indicatorText({ ...base, persistent: false }, normal).title, MEMORY_ONLY_TITLE);
  });

  it('review and test runs say nothing is saved', () => {
    assert.match(indicatorText(base, { mode: 'review', testRun: false }).text, /^Review/);
    assert.match(indicatorText(base, { mode: 'normal', testRun: true }).text, /^Test run/);
  });

  it('the end message waits for the terminate batch to be acknowledged', () => {
    const ctx = { ending: true, testRun: false, refusal: null };
    assert.equal(endText(base, { ...ctx, ending: false }), null);
    assert.equal(endText({ ...base, terminate: 'pending', unsaved: 4 }, ctx), ENDING_TEXT);
    assert.equal(endText({ ...base, terminate: 'acked', unsaved: 2 }, ctx), ENDING_TEXT);
    assert.equal(endText({ ...base, terminate: 'acked', unsaved: 0 }, ctx), ENDED_TEXT);
    assert.match(endText({ ...base, terminate: 'refused' }, { ...ctx, refusal: 'Closed.' }) ?? '', /Closed\.$/);
  });
});

describe('web transport: a socket that stops answering', () => {
  it('counts as failed when a batch stays unacknowledged, and the batch is sent again', async () => {
    const h = harness({ ackTimeoutMs: 15_000 });
    h.transport.start();
    const first = h.socket();
    first.accept();
    h.transport.push(el('a'));
    await settle();
    assert.deepEqual(seqs(first.batches()), [1]);
    await h.timers.advance(14_000);
    assert.equal(first.closed, false);
    assert.equal(h.transport.status().connection, 'online');
    await h.timers.advance(1_000);
    assert.equal(first.closed, true);
    assert.equal(h.transport.status().connection, 'offline');
    assert.equal(h.transport.status().unsaved, 1);
    await h.timers.advance(600);
    const second = h.socket();
    assert.notEqual(second, first);
    second.accept();
    assert.deepEqual(seqs(second.batches()), [1]);
  });

  it('does not time out while acks keep coming', async () => {
    const h = harness({ ackTimeoutMs: 15_000 });
    h.transport.start();
    const socket = h.socket();
    socket.accept();
    for (let i = 1; i <= 5; i++) {
      h.transport.push(el(`k${i}`));
      h.transport.flush();
      await h.timers.advance(10_000);
      socket.receive({ type: 'ack', seq: i });
    }
    assert.equal(socket.closed, false);
    assert.equal(h.sockets.length, 1);
  });
});
