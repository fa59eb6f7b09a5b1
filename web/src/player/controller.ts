/**
 * The browser side of the player: ties the SCORM runtime, the transport and the page together.
 * Everything that touches `window`, `document`, `navigator` or `localStorage` lives here, inside
 * functions (never at import time).
 */
import type { LaunchInfo } from '../api.js';
import { readSessionToken } from '../session.js';
import { type FetchLike, resendStoredBatches } from './http.js';
import type { StorageLike } from './outbox.js';
import { ScormRuntime } from './runtime.js';
import { createScormAgainApi } from './scorm-again.js';
import { Transport, type TransportEvent, type TransportStatus, backoffDelay } from './transport.js';

/** localStorage when the browser lets this frame use it, else null (the outbox then lives in memory). */
export function localStorageOrNull(): StorageLike | null {
  try {
    const storage = window.localStorage;
    const probe = 'lti-exam-probe';
    storage.setItem(probe, '1');
    storage.removeItem(probe);
    return storage;
  } catch {
    return null;
  }
}

const browserFetch: FetchLike = (url, init) => fetch(url, init);

function batchesUrl(attemptId: number): string {
  return `/api/attempts/${encodeURIComponent(String(attemptId))}/batches`;
}

/**
 * Before `launch`: sends whatever an earlier page of this attempt left unacknowledged, so the
 * values the exam resumes from include it. Retries while the server cannot be reached or fails
 * (5xx), telling `onRetry` how long it waits; gives up (and goes on) on any other answer, since
 * the batches stay stored and the player's transport sends them again.
 */
export async function resendBeforeLaunch(
  attemptId: number,
  onRetry: (waitMs: number, message: string) => void,
  isCancelled: () => boolean,
): Promise<void> {
  for (let attempt = 0; !isCancelled(); attempt++) {
    const result = await resendStoredBatches({
      attemptId,
      storage: localStorageOrNull(),
      fetch: browserFetch,
      batchesUrl: batchesUrl(attemptId),
      getToken: readSessionToken,
    });
    if (result.outcome === 'done') return;
    const retryable = result.status === null || (result.status !== undefined && result.status >= 500);
    if (!retryable) return;
    const wait = backoffDelay(attempt);
    onRetry(wait, result.message ?? '');
    await new Promise((resolve) => setTimeout(resolve, wait));
  }
}

export interface PlayerCallbacks {
  onStatus(status: TransportStatus): void;
  onEvent(event: TransportEvent): void;
  onTerminate(info: { completed: boolean }): void;
}

export interface PlayerHandle {
  runtime: ScormRuntime;
  transport: Transport;
  /** Stops the runtime and the transport, removes the API from the window. */
  dispose(): void;
}

const API_GLOBALS = { '2004': 'API_1484_11', '1.2': 'API' } as const;

/**
 * Builds the runtime for a launch and puts its API object on this window, where the SCO in the
 * content frame finds it (`window.parent.API_1484_11` / `window.parent.API`). Call before the
 * frame loads.
 */
export async function startPlayer(launch: LaunchInfo, callbacks: PlayerCallbacks): Promise<PlayerHandle> {
  const api = await createScormAgainApi(launch.scormVersion);
  const attemptId = launch.attempt.id;
  const enabled = launch.mode === 'normal' && !launch.attempt.testRun;
  const socketScheme = window.location.protocol === 'https:' ? 'wss:' : 'ws:';
  let runtime: ScormRuntime | null = null;

  const transport = new Transport({
    attemptId,
    sessionId: launch.sessionId,
    getToken: readSessionToken,
    storage: localStorageOrNull(),
    WebSocket: typeof WebSocket === 'function' ? WebSocket : null,
    socketUrl: `${socketScheme}//${window.location.host}/api/attempts/${encodeURIComponent(String(attemptId))}/socket`,
    fetch: browserFetch,
    batchesUrl: batchesUrl(attemptId),
    beaconUrl: `/api/beacon/attempts/${encodeURIComponent(String(attemptId))}/batches`,
    sendBeacon: typeof navigator.sendBeacon === 'function' ? (url, body) => navigator.sendBeacon(url, body) : null,
    enabled,
    onStatus: (status) => callbacks.onStatus(status),
    onEvent: (event) => {
      if (event.type === 'takeover' || event.type === 'ended' || (event.type === 'refused' && event.code === 'attempt_ended')) {
        runtime?.stop();
      }
      callbacks.onEvent(event);
    },
  });

  runtime = new ScormRuntime({
    version: launch.scormVersion,
    api,
    mode: launch.mode,
    values: launch.values,
    runtime: launch.runtime,
    record: enabled ? (element) => transport.push(element) : null,
    onCommit: () => transport.flush(),
    onTerminate: (info) => {
      transport.terminate();
      callbacks.onTerminate(info);
    },
  });

  const globalName = API_GLOBALS[launch.scormVersion];
  const host = window as unknown as Record<string, unknown>;
  host[globalName] = runtime.api;

  const onPageHide = () => transport.flushOnHide();
  const onVisibility = () => {
    if (document.visibilityState === 'hidden') transport.flushOnHide();
  };
  const onOnline = () => transport.kick();
  window.addEventListener('pagehide', onPageHide);
  document.addEventListener('visibilitychange', onVisibility);
  window.addEventListener('online', onOnline);
  transport.start();
  callbacks.onStatus(transport.status());

  const finalRuntime = runtime;
  return {
    runtime: finalRuntime,
    transport,
    dispose() {
      window.removeEventListener('pagehide', onPageHide);
      document.removeEventListener('visibilitychange', onVisibility);
      window.removeEventListener('online', onOnline);
      finalRuntime.stop();
      transport.flushOnHide();
      transport.stop();
      if (host[globalName] === finalRuntime.api) delete host[globalName];
    },
  };
}
