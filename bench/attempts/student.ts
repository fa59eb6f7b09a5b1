import WebSocket from 'ws';
import type { Element, EncodedElements } from './elements.js';
import type { PhaseStats } from './phase-stats.js';

interface InFlight {
  sentAt: number;
  elements: number;
  phase: PhaseStats;
}

/**
 * One simulated student: an attempt, the session id its launch issued, and one websocket.
 * It remembers every batch it sent until the ack (for latency) and every acknowledged
 * batch's element count afterwards (to check the database for lost elements); it keeps no
 * element values, so 5,000 of them stay small.
 */
export class Student {
  ws: WebSocket | null = null;
  private nextSeq = 1;
  readonly inFlight = new Map<number, InFlight>();
  /** seq → elements, for every batch the server acknowledged. */
  readonly acked = new Map<number, number>();
  /** Errors seen on this socket (unexpected close, refused batch, …), by label. */
  readonly errors: string[] = [];
  /** Called after each ack: the closed-loop saturation phase sends the next batch from here. */
  onAck: (() => void) | null = null;
  private drained: (() => void) | null = null;
  /** Phase deadline (performance.now()): acks after it are not counted in the phase's throughput. */
  windowEnd = Number.POSITIVE_INFINITY;

  constructor(
    readonly index: number,
    readonly token: string,
    readonly attemptId: number,
    readonly sessionId: string,
  ) {}

  /** Opens the socket and says hello; resolves on `ready`. */
  connect(wsOrigin: string, timeoutMs = 30_000): Promise<void> {
    // No compression: the server does not offer it, and the browser's traffic is what we measure.
    const ws = new WebSocket(`${wsOrigin}/api/attempts/${this.attemptId}/socket`, { perMessageDeflate: false });
    this.ws = ws;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`student ${this.index}: no ready in ${timeoutMs} ms`)), timeoutMs);
      ws.once('open', () => ws.send(JSON.stringify({ type: 'hello', token: this.token, sessionId: this.sessionId })));
      ws.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      ws.on('close', (code) => {
        if (code !== 1000) this.errors.push(`socket closed ${code}`);
      });
      ws.on('message', (data: Buffer) => {
        const message = JSON.parse(data.toString()) as { type: string; seq?: number; code?: string };
        if (message.type === 'ready') {
          clearTimeout(timer);
          resolve();
        } else if (message.type === 'ack' && typeof message.seq === 'number') this.settle(message.seq, true);
        else if (message.type === 'refused' && typeof message.seq === 'number') {
          this.errors.push(`refused ${message.code ?? ''}`);
          this.settle(message.seq, false);
        } else this.errors.push(`unexpected ${message.type}`);
      });
    });
  }

  send(batch: Element[] | EncodedElements, phase: PhaseStats): void {
    const ws = this.ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) {
      this.errors.push('send on a closed socket');
      return;
    }
    const seq = this.nextSeq++;
    const count = Array.isArray(batch) ? batch.length : batch.count;
    const elements = Array.isArray(batch) ? JSON.stringify(batch) : batch.json;
    phase.sentBatches++;
    phase.sentElements += count;
    this.inFlight.set(seq, { sentAt: performance.now(), elements: count, phase });
    ws.send(`{"type":"batch","seq":${seq},"elements":${elements},"terminate":false}`);
  }

  /** Resolves when nothing is in flight, or after timeoutMs (then the rest count as lost). */
  drain(timeoutMs: number): Promise<void> {
    if (this.inFlight.size === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      this.drained = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  close(): void {
    this.ws?.close(1000);
  }

  private settle(seq: number, ok: boolean): void {
    const sent = this.inFlight.get(seq);
    if (!sent) {
      this.errors.push(`answer for unknown seq ${seq}`);
      return;
    }
    this.inFlight.delete(seq);
    const now = performance.now();
    if (ok) {
      this.acked.set(seq, sent.elements);
      sent.phase.ackedBatches++;
      sent.phase.ackedElements += sent.elements;
      if (now <= this.windowEnd) sent.phase.ackedInWindow += sent.elements;
      sent.phase.record(now - sent.sentAt);
    } else sent.phase.refused++;
    if (this.inFlight.size === 0 && this.drained) {
      const wake = this.drained;
      this.drained = null;
      wake();
    }
    this.onAck?.();
  }
}
