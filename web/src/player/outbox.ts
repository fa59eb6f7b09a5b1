/**
 * The outbox of one attempt: every element the exam set that the server has not acknowledged,
 * grouped into numbered batches, mirrored into localStorage (`lti-exam-pending:<attemptId>`)
 * so that a reload or a crash loses nothing.
 *
 * A batch is "open" while it still collects elements and "sealed" from the moment it may leave
 * the page (by websocket, HTTP or beacon): a sealed batch never changes again, so a batch sent
 * twice is the same batch twice and the server's `(attempt, sessionId, seq)` key makes the second
 * copy harmless. The open batch is persisted too, with the seq it will be sent under.
 *
 * The storage entry is shared with any other tab of the same attempt and with the next page
 * load, so writes merge: entries this outbox does not own and has not seen resolved are kept.
 *
 * No browser globals: the storage is injected (null when the browser refuses it).
 */
import { type Element, type PendingBatch, batchKey, isPendingBatch, pendingStorageKey } from './protocol.js';

/** The part of the Web Storage API the outbox uses. */
export interface StorageLike {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export const DEFAULT_MAX_BATCH_ELEMENTS = 200;

export interface OutboxOptions {
  attemptId: number | string;
  /** This page's client session; '' for an outbox that only resends stored batches. */
  sessionId: string;
  storage: StorageLike | null;
  maxBatchElements?: number;
}

export class Outbox {
  readonly sessionId: string;
  readonly key: string;
  private readonly storage: StorageLike | null;
  private readonly maxBatchElements: number;
  private nextSeq = 1;
  private open: PendingBatch | null = null;
  /** Sealed, unacknowledged batches in the order they were sealed (stored ones first). */
  private sealed: PendingBatch[] = [];
  /** Batches acknowledged or refused here: never written back, even if another tab still lists them. */
  private readonly resolved = new Set<string>();
  private dirty = false;
  private storageWorks: boolean;

  constructor(options: OutboxOptions) {
    this.sessionId = options.sessionId;
    this.key = pendingStorageKey(options.attemptId);
    this.maxBatchElements = Math.max(1, options.maxBatchElements ?? DEFAULT_MAX_BATCH_ELEMENTS);
    this.storage = options.storage;
    this.storageWorks = this.storage !== null;
    for (const entry of this.readStored()) {
      if (this.sealed.some((b) => b.sessionId === entry.sessionId && b.seq === entry.seq)) continue;
      // Whatever was stored was possibly sent already: it is sealed as it stands.
      this.sealed.push(entry);
      if (entry.sessionId === this.sessionId) this.nextSeq = Math.max(this.nextSeq, entry.seq + 1);
    }
  }

  /** False when the batches live only in this page's memory (storage refused or full). */
  get persistent(): boolean {
    return this.storageWorks;
  }

  /** Queues one element into the open batch; seals the batch when it is full. Persist with `persist()`. */
  add(element: Element): void {
    if (this.sessionId === '') throw new Error('This outbox only resends stored batches.');
    if (this.open === null) {
      this.open = { sessionId: this.sessionId, seq: this.nextSeq++, elements: [], terminate: false };
    }
    this.open.elements.push(element);
    if (this.open.elements.length >= this.maxBatchElements) this.seal();
    this.dirty = true;
  }

  /** True when the open batch holds elements not yet sealed. */
  get hasOpen(): boolean {
    return this.open !== null && this.open.elements.length > 0;
  }

  /**
   * Seals the open batch, so that it can be sent. With `terminate`, the sealed batch is marked as
   * the one sent after Terminate; an empty one is made when nothing is open.
   */
  seal(terminate = false): PendingBatch | null {
    let batch = this.open;
    this.open = null;
    if (batch === null) {
      if (!terminate || this.sessionId === '') return null;
      batch = { sessionId: this.sessionId, seq: this.nextSeq++, elements: [], terminate: true };
    }
    batch.terminate = terminate;
    this.sealed.push(batch);
    this.dirty = true;
    return batch;
  }

  /** Forgets an acknowledged (or refused) batch. True when it was pending here. */
  resolve(sessionId: string, seq: number): boolean {
    const key = batchKey(sessionId, seq);
    this.resolved.add(key);
    const index = this.sealed.findIndex((b) => b.sessionId === sessionId && b.seq === seq);
    if (index === -1) return false;
    this.sealed.splice(index, 1);
    this.dirty = true;
    return true;
  }

  /** Sealed, unacknowledged batches, in order. */
  sealedBatches(): readonly PendingBatch[] {
    return this.sealed;
  }

  /** Every unacknowledged batch, the open one last. */
  allBatches(): PendingBatch[] {
    return this.open !== null && this.open.elements.length > 0 ? [...this.sealed, this.open] : [...this.sealed];
  }

  /** Whether a batch of this session with a lower seq is still unacknowledged. */
  hasEarlierOwn(seq: number): boolean {
    return this.sealed.some((b) => b.sessionId === this.sessionId && b.seq < seq);
  }

  /** Elements not yet acknowledged by the server (the open batch included). */
  get unsavedCount(): number {
    let n = this.open?.elements.length ?? 0;
    for (const b of this.sealed) n += b.elements.length;
    return n;
  }

  get isEmpty(): boolean {
    return this.sealed.length === 0 && (this.open === null || this.open.elements.length === 0);
  }

  /** Writes the outbox to storage when it changed (merging with what other tabs stored). */
  persist(): void {
    if (!this.dirty) return;
    this.dirty = false;
    if (this.storage === null) return;
    try {
      const merged = new Map<string, PendingBatch>();
      for (const entry of this.readStored()) {
        const key = batchKey(entry.sessionId, entry.seq);
        if (!this.resolved.has(key)) merged.set(key, entry);
      }
      for (const batch of this.allBatches()) merged.set(batchKey(batch.sessionId, batch.seq), batch);
      if (merged.size === 0) this.storage.removeItem(this.key);
      else this.storage.setItem(this.key, JSON.stringify([...merged.values()]));
      this.storageWorks = true;
    } catch {
      // Storage refused or full: the batches stay in memory for the life of this page.
      this.storageWorks = false;
    }
  }

  private readStored(): PendingBatch[] {
    if (this.storage === null) return [];
    let text: string | null;
    try {
      text = this.storage.getItem(this.key);
    } catch {
      this.storageWorks = false;
      return [];
    }
    if (text === null) return [];
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      return [];
    }
    return Array.isArray(value) ? value.filter(isPendingBatch) : [];
  }
}
