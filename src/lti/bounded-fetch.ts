/**
 * The bounded HTTP exchange the LTI 1.1 outcomes client and the LTI 1.3 service clients share:
 * one timeout over the whole exchange (connect, headers and body), a body size limit, and the
 * split of failures into "timed out" and "could not be reached". Each caller turns those into
 * its own error class and words.
 */

export interface BoundedFetchOptions {
  /** The whole exchange (connect, headers and body) must finish within this. */
  timeoutMs: number;
  /** A body larger than this is not read further; `truncated` is set and `text` is empty. */
  maxBytes: number;
  fetchImpl?: typeof fetch;
}

export interface BoundedResponse {
  response: Response;
  text: string;
  truncated: boolean;
}

/** Why no answer came: `reason` says what the network layer reported. */
export type BoundedFetchFailure = { kind: 'timeout' } | { kind: 'network'; reason: string };

/** 408 and 429 are the far end asking to be asked again; every 5xx is its own trouble. */
export function retryableStatus(status: number): boolean {
  return status >= 500 || status === 408 || status === 429;
}

function isTimeout(error: unknown): boolean {
  return error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
}

/** Node's fetch says only "fetch failed"; the reason (ECONNREFUSED, ENOTFOUND …) is in the cause. */
function networkReason(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause: unknown = error.cause;
  if (cause instanceof Error) {
    const code = (cause as Error & { code?: unknown }).code;
    return typeof code === 'string' ? `${code}: ${cause.message}` : cause.message;
  }
  return error.message;
}

async function readLimited(response: Response, maxBytes: number): Promise<{ text: string; truncated: boolean }> {
  if (response.body === null) return { text: '', truncated: false };
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => undefined);
      return { text: '', truncated: true };
    }
  }
  return { text: Buffer.concat(chunks).toString('utf8'), truncated: false };
}

/**
 * Fetches `url` and reads its body within the limits. A timeout or network failure is handed to
 * `fail`, whose error is thrown; any HTTP answer (whatever its status) resolves.
 */
export async function boundedFetch(
  url: string,
  init: Omit<RequestInit, 'signal'>,
  options: BoundedFetchOptions,
  fail: (failure: BoundedFetchFailure, cause: unknown) => Error,
): Promise<BoundedResponse> {
  const fetchImpl = options.fetchImpl ?? fetch;
  // One signal for the whole exchange, so a body that trickles in forever also times out.
  const signal = AbortSignal.timeout(options.timeoutMs);
  try {
    const response = await fetchImpl(url, { ...init, signal });
    const body = await readLimited(response, options.maxBytes);
    return { response, ...body };
  } catch (error) {
    if (isTimeout(error) || signal.aborted) throw fail({ kind: 'timeout' }, error);
    throw fail({ kind: 'network', reason: networkReason(error) }, error);
  }
}
