/**
 * Sends the attempt's elements to the server as docs/attempt-protocol.md describes.
 *
 * - Elements go into the outbox at once; a batch leaves as soon as nothing is in flight, and
 *   while batches are in flight new elements collect into the next one (at most
 *   `maxBatchElements`, then it leaves regardless), so several batches may be in flight.
 * - The websocket (`hello` with token and session id, then `ready`) carries this session's
 *   batches; acks may come in any order, and duplicates are ignored.
 * - When the websocket cannot connect or keeps failing (`httpFallbackAfter` failures in a row),
 *   batches go by `POST /api/attempts/:id/batches` while the socket keeps reconnecting, for
 *   ever, with capped exponential backoff (0.5 s to 30 s, jittered). Batches of other sessions
 *   (left by an earlier page) always go by HTTP, since the socket speaks for one session.
 * - The terminate batch leaves only once every earlier batch of the session is acknowledged:
 *   the server ends the attempt when it stores it, and would refuse a batch that came after.
 * - `flushOnHide` (pagehide, visibilitychange→hidden) seals the open batch and sends it, by the
 *   socket when it is open, otherwise by `navigator.sendBeacon` as a last resort.
 * - A disabled transport (review mode, test runs) sends nothing and stores nothing.
 *
 * No browser globals: WebSocket, fetch, storage, sendBeacon and the timers are injected, so the
 * Node unit tests drive it with fakes.
 */
import { type FetchLike, beaconBodies, groupForRequests, postBatches } from './http.js';
import { Outbox, type StorageLike } from './outbox.js';
import { type Element, type PendingBatch, type ServerMessage, parseServerMessage, toWire } from './protocol.js';

/** A handler type checked bivariantly, so the DOM's WebSocket (with its MessageEvent) fits. */
type SocketHandler = { bivarianceHack(event: unknown): void }['bivarianceHack'];

/** The part of the browser's WebSocket the transport uses. */
export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: SocketHandler | null;
  onmessage: SocketHandler | null;
  onclose: SocketHandler | null;
  onerror: SocketHandler | null;
}

export type SocketConstructor = new (url: string) => SocketLike;

export interface Timers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const BACKOFF_BASE_MS = 500;
export const BACKOFF_CAP_MS = 30_000;

/**
 * The wait before retry number `attempt` (0 for the first): 0.5 s doubling up to 30 s, with
 * ±20 % jitter so that many clients cut off together do not come back together, never above the cap.
 */
export function backoffDelay(attempt: number, random: () => number = Math.random): number {
  const exponential = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, Math.min(attempt, 30)));
  const jittered = exponential * (0.8 + 0.4 * random());
  return Math.round(Math.min(BACKOFF_CAP_MS, Math.max(BACKOFF_BASE_MS * 0.8, jittered)));
}

export type Connection = 'connecting' | 'online' | 'offline';

export interface TransportStatus {
  /** False for review mode and test runs: nothing is sent. */
  enabled: boolean;
  /** Elements set in this page or left by an earlier one that the server has not acknowledged. */
  unsaved: number;
  connection: Connection;
  /** Which way batches go now. */
  channel: 'socket' | 'http' | 'none';
  /** False when the outbox lives only in memory (storage refused or full). */
  persistent: boolean;
  /** The terminate batch: not sent yet ('none' before Terminate), waiting, acknowledged or refused. */
  terminate: 'none' | 'pending' | 'acked' | 'refused';
  /** True after takeover, ended or stop(). */
  stopped: boolean;
  /** The last error met (a refusal, an HTTP error), for the indicator's title. */
  lastError: string | null;
}

export type TransportEvent =
  | { type: 'takeover'; message: string }
  | { type: 'ended'; message: string }
  | { type: 'deadline'; deadline: number | null; message: string }
  | { type: 'refused'; seq: number; code: string; message: string };

export interface TransportOptions {
  attemptId: number;
  sessionId: string;
  getToken: () => string | null;
  storage: StorageLike | null;
  /** The WebSocket constructor; null to use HTTP only. */
  WebSocket: SocketConstructor | null;
  /** Absolute ws(s):// URL of `/api/attempts/:id/socket`. */
  socketUrl: string;
  fetch: FetchLike;
  /** `/api/attempts/:id/batches` */
  batchesUrl: string;
  /** `/api/beacon/attempts/:id/batches` */
  beaconUrl: string;
  sendBeacon: ((url: string, body: string) => boolean) | null;
  timers?: Timers;
  random?: () => number;
  /** Runs a callback after the current task's synchronous work (default: queueMicrotask). */
  defer?: (callback: () => void) => void;
  /** False: send nothing at all (review mode, test runs). Default true. */
  enabled?: boolean;
  maxBatchElements?: number;
  /** Consecutive websocket failures after which batches go by HTTP. Default 2. */
  httpFallbackAfter?: number;
  /** A websocket that has not said `ready` by then counts as failed. Default 10 s. */
  connectTimeoutMs?: number;
  /**
   * A websocket that leaves a batch unacknowledged this long counts as failed (a connection can
   * die without closing: a sleeping laptop, a dropped Wi-Fi): it is closed and the batches are
   * sent again on a new one, or by HTTP. Default 15 s.
   */
  ackTimeoutMs?: number;
  onStatus?: (status: TransportStatus) => void;
  onEvent?: (event: TransportEvent) => void;
}

const defaultTimers: Timers = {
  setTimeout: (callback, ms) => globalThis.setTimeout(callback, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof globalThis.setTimeout>),
};

export class Transport {
  readonly outbox: Outbox;
  private readonly options: TransportOptions;
  private readonly timers: Timers;
  private readonly random: () => number;
  private readonly defer: (callback: () => void) => void;
  private readonly enabled: boolean;
  private readonly httpFallbackAfter: number;
  private readonly connectTimeoutMs: number;
  private readonly ackTimeoutMs: number;

  private started = false;
  private stopped = false;
  /** Terminate acknowledged and nothing left: the socket is closed and not reopened. */
  private finished = false;
  private socket: SocketLike | null = null;
  private ready = false;
  /** Seqs of this session sent on the current socket and not yet acknowledged. */
  private readonly inFlight = new Set<number>();
  private socketFailures = 0;
  private httpMode = false;
  private connectTimer: unknown = null;
  private ackTimer: unknown = null;
  private reconnectTimer: unknown = null;
  private httpBusy = false;
  private httpFailures = 0;
  private httpRetryTimer: unknown = null;
  private lastHttpOk: boolean | null = null;
  private pumpScheduled = false;
  private terminateSeq: number | null = null;
  private terminateState: TransportStatus['terminate'] = 'none';
  private lastError: string | null = null;
  private lastStatusJson = '';

  constructor(options: TransportOptions) {
    this.options = options;
    this.timers = options.timers ?? defaultTimers;
    this.random = options.random ?? Math.random;
    this.defer = options.defer ?? ((callback) => queueMicrotask(callback));
    this.enabled = options.enabled ?? true;
    this.httpFallbackAfter = Math.max(1, options.httpFallbackAfter ?? 2);
    this.connectTimeoutMs = options.connectTimeoutMs ?? 10_000;
    this.ackTimeoutMs = options.ackTimeoutMs ?? 15_000;
    this.outbox = new Outbox({
      attemptId: options.attemptId,
      sessionId: options.sessionId,
      // A disabled transport must not touch what other pages stored.
      storage: this.enabled ? options.storage : null,
      ...(options.maxBatchElements !== undefined ? { maxBatchElements: options.maxBatchElements } : {}),
    });
    // Nothing websocket-shaped to use: HTTP from the start.
    if (options.WebSocket === null) this.httpMode = true;
  }

  /** Opens the websocket and sends whatever the outbox holds. */
  start(): void {
    if (this.started || !this.enabled) return;
    this.started = true;
    this.connect();
    this.pump();
  }

  /** Queues one element (a successful SetValue); it leaves at the end of the current task. */
  push(element: Element): void {
    if (!this.enabled || this.stopped || this.finished) return;
    this.outbox.add(element);
    this.schedulePump();
  }

  /** Commit: the open batch leaves now, even with batches in flight. */
  flush(): void {
    if (!this.enabled || this.stopped) return;
    this.outbox.seal();
    this.pump();
  }

  /** Terminate: everything queued leaves, the last batch marked `terminate: true`. */
  terminate(): void {
    if (!this.enabled || this.stopped || this.terminateSeq !== null) return;
    const batch = this.outbox.seal(true);
    if (batch === null) return;
    this.terminateSeq = batch.seq;
    this.terminateState = 'pending';
    this.pump();
  }

  /** The page is being hidden or closed: send everything now, by beacon when the socket is not open. */
  flushOnHide(): void {
    if (!this.enabled || this.stopped) return;
    this.outbox.seal();
    this.outbox.persist();
    if (this.ready && this.socket !== null) {
      this.pump();
      // With the outbox in storage, a batch the socket loses is sent again by the next page;
      // without it, the beacon is the only copy that outlives this page (duplicates are harmless).
      if (this.outbox.persistent) return;
    }
    const sendBeacon = this.options.sendBeacon;
    const batches = this.outbox.sealedBatches();
    if (sendBeacon === null || batches.length === 0) return;
    for (const body of beaconBodies(batches, this.options.getToken())) {
      try {
        sendBeacon(this.options.beaconUrl, body);
      } catch {
        // The page is going away; the batches stay stored for the next page.
      }
    }
  }

  /** The network may be back (the browser's `online` event): retry at once instead of waiting. */
  kick(): void {
    if (!this.enabled || this.stopped || this.finished || !this.started) return;
    if (this.reconnectTimer !== null) {
      this.timers.clearTimeout(this.reconnectTimer);
      this.reconnectTimer = null;
      this.connect();
    }
    if (this.httpRetryTimer !== null) {
      this.timers.clearTimeout(this.httpRetryTimer);
      this.httpRetryTimer = null;
    }
    this.pump();
  }

  /** Stops everything (takeover, ended, leaving the player). The outbox stays stored. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.outbox.persist();
    this.closeSocket();
    this.clearTimer('reconnectTimer');
    this.clearTimer('httpRetryTimer');
    this.emitStatus();
  }

  status(): TransportStatus {
    return {
      enabled: this.enabled,
      unsaved: this.enabled ? this.outbox.unsavedCount : 0,
      connection: this.connection(),
      channel: !this.enabled || this.stopped ? 'none' : this.ready ? 'socket' : this.httpMode ? 'http' : 'none',
      persistent: this.outbox.persistent,
      terminate: this.terminateState,
      stopped: this.stopped,
      lastError: this.lastError,
    };
  }

  // ---------------------------------------------------------------------------------------

  private connection(): Connection {
    if (!this.enabled) return 'online';
    if (this.ready) return 'online';
    if (this.finished) return 'online';
    if (this.httpMode && this.lastHttpOk === true && this.httpRetryTimer === null) return 'online';
    if (this.socketFailures === 0 && this.lastHttpOk !== false) return 'connecting';
    return 'offline';
  }

  private clearTimer(name: 'connectTimer' | 'ackTimer' | 'reconnectTimer' | 'httpRetryTimer'): void {
    const handle = this[name];
    if (handle !== null) this.timers.clearTimeout(handle);
    this[name] = null;
  }

  private schedulePump(): void {
    if (this.pumpScheduled) return;
    this.pumpScheduled = true;
    this.defer(() => {
      this.pumpScheduled = false;
      this.pump();
    });
  }

  private connect(): void {
    const Ctor = this.options.WebSocket;
    if (Ctor === null || this.stopped || this.finished || this.socket !== null) return;
    let socket: SocketLike;
    try {
      socket = new Ctor(this.options.socketUrl);
    } catch {
      this.socketDown(null);
      return;
    }
    this.socket = socket;
    this.connectTimer = this.timers.setTimeout(() => {
      this.connectTimer = null;
      if (this.socket === socket && !this.ready) this.socketDown(socket);
    }, this.connectTimeoutMs);
    socket.onopen = () => {
      if (this.socket !== socket) return;
      try {
        socket.send(JSON.stringify({ type: 'hello', token: this.options.getToken(), sessionId: this.options.sessionId }));
      } catch {
        this.socketDown(socket);
      }
    };
    socket.onmessage = (event) => {
      if (this.socket !== socket) return;
      const message = parseServerMessage((event as { data?: unknown } | null)?.data);
      if (message !== null) this.onMessage(message);
    };
    socket.onclose = () => {
      if (this.socket === socket) this.socketDown(socket);
    };
    socket.onerror = () => {
      if (this.socket === socket) this.socketDown(socket);
    };
  }

  private closeSocket(): void {
    this.clearTimer('connectTimer');
    this.clearTimer('ackTimer');
    const socket = this.socket;
    this.socket = null;
    this.ready = false;
    this.inFlight.clear();
    if (socket === null) return;
    socket.onopen = null;
    socket.onmessage = null;
    socket.onclose = null;
    socket.onerror = null;
    try {
      socket.close();
    } catch {
      // Already closed.
    }
  }

  /** The socket failed to connect, timed out or dropped: count it, fall back to HTTP, reconnect later. */
  private socketDown(socket: SocketLike | null): void {
    const wasReady = this.ready;
    if (socket !== null) this.closeSocket();
    if (this.stopped || this.finished) return;
    this.socketFailures = wasReady ? 1 : this.socketFailures + 1;
    if (this.socketFailures >= this.httpFallbackAfter) this.httpMode = true;
    this.clearTimer('reconnectTimer');
    this.reconnectTimer = this.timers.setTimeout(
      () => {
        this.reconnectTimer = null;
        this.connect();
      },
      backoffDelay(this.socketFailures - 1, this.random),
    );
    this.pump();
  }

  private onMessage(message: ServerMessage): void {
    switch (message.type) {
      case 'ready':
        this.clearTimer('connectTimer');
        this.ready = true;
        this.socketFailures = 0;
        if (this.options.WebSocket !== null) this.httpMode = false;
        this.pump();
        return;
      case 'ack':
        this.inFlight.delete(message.seq);
        this.acknowledge(this.options.sessionId, message.seq);
        this.restartAckTimer();
        this.pump();
        return;
      case 'refused':
        this.inFlight.delete(message.seq);
        this.refuse(this.options.sessionId, message.seq, message.code, message.message);
        this.restartAckTimer();
        this.pump();
        return;
      case 'takeover':
        this.stop();
        this.options.onEvent?.({ type: 'takeover', message: message.message });
        return;
      case 'ended':
        this.stop();
        this.options.onEvent?.({ type: 'ended', message: message.reason });
        return;
      case 'deadline':
        // Information only: the attempt and the transport go on.
        this.options.onEvent?.({ type: 'deadline', deadline: message.deadline, message: message.message });
        return;
      case 'error':
        // The server is about to close the socket (e.g. the session expired): say why in the indicator.
        this.lastError = message.message;
        this.emitStatus();
        return;
    }
  }

  private acknowledge(sessionId: string, seq: number): void {
    const known = this.outbox.resolve(sessionId, seq);
    if (known && sessionId === this.options.sessionId && seq === this.terminateSeq) this.terminateState = 'acked';
  }

  private refuse(sessionId: string, seq: number, code: string, message: string): void {
    const known = this.outbox.resolve(sessionId, seq);
    if (!known) return;
    this.lastError = message;
    if (sessionId === this.options.sessionId && seq === this.terminateSeq) this.terminateState = 'refused';
    this.options.onEvent?.({ type: 'refused', seq, code, message });
  }

  /** Sends whatever can leave now, by the socket or by HTTP, then persists and reports. */
  private pump(): void {
    if (!this.enabled || this.stopped) {
      this.emitStatus();
      return;
    }
    const own = this.options.sessionId;
    if (this.ready && this.socket !== null) {
      // Coalescing: the open batch leaves when nothing is in flight.
      if (this.inFlight.size === 0 && this.outbox.hasOpen) this.outbox.seal();
      for (const batch of this.outbox.sealedBatches()) {
        if (batch.sessionId !== own || this.inFlight.has(batch.seq)) continue;
        if (batch.terminate && this.outbox.hasEarlierOwn(batch.seq)) continue;
        if (!this.sendOnSocket(batch)) break;
      }
    } else if (this.httpMode && !this.httpBusy && this.httpRetryTimer === null && this.outbox.hasOpen) {
      this.outbox.seal();
    }
    this.outbox.persist();
    this.pumpHttp();
    this.maybeFinish();
    this.emitStatus();
  }

  private sendOnSocket(batch: PendingBatch): boolean {
    const socket = this.socket;
    if (socket === null) return false;
    try {
      socket.send(JSON.stringify({ type: 'batch', ...toWire(batch) }));
    } catch {
      this.socketDown(socket);
      return false;
    }
    this.inFlight.add(batch.seq);
    if (this.ackTimer === null) this.restartAckTimer();
    return true;
  }

  /** The server answered (or a batch left): the socket has `ackTimeoutMs` to answer the next one. */
  private restartAckTimer(): void {
    this.clearTimer('ackTimer');
    const socket = this.socket;
    if (socket === null || this.inFlight.size === 0) return;
    this.ackTimer = this.timers.setTimeout(() => {
      this.ackTimer = null;
      if (this.socket === socket && this.inFlight.size > 0) this.socketDown(socket);
    }, this.ackTimeoutMs);
  }

  /** Batches that go by HTTP now: other sessions' always, this session's when the socket is not usable. */
  private httpCandidates(): PendingBatch[] {
    const ownByHttp = this.httpMode && !this.ready;
    return this.outbox.sealedBatches().filter((b) => b.sessionId !== this.options.sessionId || ownByHttp);
  }

  private pumpHttp(): void {
    if (this.httpBusy || this.httpRetryTimer !== null || this.stopped) return;
    const group = groupForRequests(this.httpCandidates())[0];
    if (group === undefined) return;
    this.httpBusy = true;
    void postBatches(this.options.fetch, this.options.batchesUrl, this.options.getToken(), group.sessionId, group.batches).then(
      (result) => {
        this.httpBusy = false;
        if (this.stopped) return;
        if (result.ok) {
          this.httpFailures = 0;
          this.lastHttpOk = true;
          for (const seq of result.acked) {
            if (group.sessionId === this.options.sessionId) this.inFlight.delete(seq);
            this.acknowledge(group.sessionId, seq);
          }
          for (const refusal of result.refused) {
            this.refuse(group.sessionId, refusal.seq, refusal.code, refusal.message);
          }
        } else {
          this.httpFailures++;
          this.lastHttpOk = false;
          this.lastError = result.message;
          this.httpRetryTimer = this.timers.setTimeout(
            () => {
              this.httpRetryTimer = null;
              this.pump();
            },
            backoffDelay(this.httpFailures - 1, this.random),
          );
        }
        this.pump();
      },
    );
  }

  /** After the terminate batch is acknowledged and nothing is left, the socket has nothing more to do. */
  private maybeFinish(): void {
    if (this.finished || this.terminateState !== 'acked' || !this.outbox.isEmpty) return;
    this.finished = true;
    this.closeSocket();
    this.clearTimer('reconnectTimer');
    this.clearTimer('httpRetryTimer');
  }

  private emitStatus(): void {
    const onStatus = this.options.onStatus;
    if (onStatus === undefined) return;
    const status = this.status();
    const json = JSON.stringify(status);
    if (json === this.lastStatusJson) return;
    this.lastStatusJson = json;
    onStatus(status);
  }
}
