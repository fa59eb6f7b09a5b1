import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import OAuth from 'oauth-1.0a';
import { type Answer, NAMESPACE, SCORE, element, responseXml } from './fake-lms-pox.js';

/**
 * A fake LMS outcomes endpoint (LTI 1.1 Basic Outcomes) over real HTTP on 127.0.0.1.
 *
 * It checks what a strict LMS checks, with code this project did not write: the OAuth 1.0a
 * signature through the `oauth-1.0a` library (HMAC from node:crypto) and `oauth_body_hash`
 * against the raw bytes received. Its POX reading is its own few regular expressions, not the
 * tool's parser, so a bug in one is not mirrored in the other. Failure controls simulate an
 * LMS that is down, slow, or refuses a student.
 */
export type FakeOperation = 'replaceResult' | 'readResult' | 'deleteResult';

export interface FakeLmsRequestRecord {
  /** By the fake's clock (options.now). */
  at: number;
  path: string;
  consumerKey: string | null;
  operation: FakeOperation | null;
  sourcedid: string | null;
  /** The replaceResult score as sent, and as a number. */
  scoreText: string | null;
  score: number | null;
  /** True only when the grade operation was carried out and answered `success`. */
  accepted: boolean;
  /** HTTP status answered; null for a request left hanging. */
  status: number | null;
  codeMajor: string | null;
  /** Why it was refused, or the injected failure. */
  detail: string | null;
}

export interface FakeLmsOptions {
  /** The fake's clock, for failUntil, timestamps checks and records. Default Date.now. */
  now?: () => number;
  /** Refuse OAuth timestamps further than this from the fake's clock; null turns the check off. Default 300. */
  maxSkewSeconds?: number | null;
}

export interface FakeLms {
  /** http://127.0.0.1:PORT/outcomes; any path on the server is served the same way. */
  readonly url: string;
  readonly origin: string;
  addConsumer(key: string, secret: string): void;
  /** The stored grade, or undefined when there is none. */
  grade(sourcedid: string): number | undefined;
  /** Every request so far, oldest first (a copy). */
  requests(): FakeLmsRequestRecord[];
  /** The next `n` requests answer `status` (default 500) without touching grades. */
  failNext(n: number, status?: number): void;
  /** Every request until the fake's clock reaches `timeMs` answers `status` (default 503). */
  failUntil(timeMs: number, status?: number): void;
  /** The next `n` requests are read and never answered, so the sender times out. */
  hangNext(n: number): void;
  /** Any operation on `sourcedid` answers HTTP 200 with imsx_codeMajor failure and `description`. */
  rejectSourcedid(sourcedid: string, description: string): void;
  /** Every answer waits this long first. */
  setLatencyMs(ms: number): void;
  close(): Promise<void>;
}

/** `OAuth a="b", c="d"` → pairs, decoded; realm left out. Deliberately simple: our client quotes every value. */
function authorizationParams(header: string | undefined): Map<string, string> | null {
  if (header === undefined || !/^OAuth\s/i.test(header)) return null;
  const out = new Map<string, string>();
  for (const match of header.slice(6).matchAll(/([\w-]+)="([^"]*)"/g)) {
    const [, name, value] = match;
    if (name === undefined || value === undefined || name === 'realm') continue;
    if (out.has(name)) return null;
    out.set(name, decodeURIComponent(value));
  }
  return out;
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export async function startFakeLms(options: FakeLmsOptions = {}): Promise<FakeLms> {
  const now = options.now ?? Date.now;
  const maxSkew = options.maxSkewSeconds === undefined ? 300 : options.maxSkewSeconds;
  const secrets = new Map<string, string>();
  const grades = new Map<string, { text: string; value: number }>();
  const rejected = new Map<string, string>();
  const nonces = new Set<string>();
  const records: FakeLmsRequestRecord[] = [];
  const hanging = new Set<ServerResponse>();
  const timers = new Set<NodeJS.Timeout>();
  let failCount = 0;
  let failStatus = 500;
  let failUntilTime = -Infinity;
  let failUntilStatus = 503;
  let hangCount = 0;
  let latencyMs = 0;

  /** Returns the refusal reason, or the consumer key when the request is properly signed. */
  function checkOAuth(req: IncomingMessage, fullUrl: string, raw: Buffer): { key: string | null; refusal: string | null } {
    const params = authorizationParams(req.headers.authorization);
    if (params === null) return { key: null, refusal: 'No OAuth Authorization header.' };
    const key = params.get('oauth_consumer_key') ?? null;
    const secret = key === null ? undefined : secrets.get(key);
    if (key === null || secret === undefined) return { key, refusal: `Unknown consumer key "${key ?? ''}".` };
    if (params.get('oauth_signature_method') !== 'HMAC-SHA1') return { key, refusal: 'Only HMAC-SHA1 is accepted.' };
    const given = params.get('oauth_signature');
    const hash = params.get('oauth_body_hash');
    const timestamp = Number(params.get('oauth_timestamp'));
    const nonce = params.get('oauth_nonce');
    if (given === undefined || hash === undefined || nonce === undefined || !Number.isInteger(timestamp)) {
      return { key, refusal: 'Missing oauth_signature, oauth_body_hash, oauth_nonce or oauth_timestamp.' };
    }
    if (maxSkew !== null && Math.abs(now() / 1000 - timestamp) > maxSkew) return { key, refusal: 'oauth_timestamp is too far from the LMS clock.' };
    if (!sameText(createHash('sha1').update(raw).digest('base64'), hash)) return { key, refusal: 'oauth_body_hash does not match the body.' };
    const lib = new OAuth({
      consumer: { key, secret },
      signature_method: 'HMAC-SHA1',
      hash_function: (base, signingKey) => createHmac('sha1', signingKey).update(base).digest('base64'),
    });
    const oauthData: Record<string, string> = {};
    for (const [name, value] of params) if (name !== 'oauth_signature') oauthData[name] = value;
    const expected = lib.getSignature({ url: fullUrl, method: 'POST', data: {} }, undefined, oauthData as unknown as OAuth.Data);
    if (!sameText(expected, given)) return { key, refusal: 'OAuth signature does not match.' };
    if (nonces.has(`${key} ${nonce}`)) return { key, refusal: 'oauth_nonce was already used.' };
    nonces.add(`${key} ${nonce}`);
    return { key, refusal: null };
  }

  function grade(xml: string, record: FakeLmsRequestRecord): Answer {
    const messageRef = element(xml, 'imsx_messageIdentifier');
    const op = record.operation;
    const refuse = (codeMajor: 'failure' | 'unsupported', description: string): Answer => ({ codeMajor, description, operation: op, messageRef });
    if (!xml.includes(`<imsx_POXEnvelopeRequest xmlns="${NAMESPACE}">`)) return refuse('failure', 'Not an imsx_POXEnvelopeRequest in the Basic Outcomes namespace.');
    if (element(xml, 'imsx_version') !== 'V1.0') return refuse('failure', 'imsx_version must be V1.0.');
    if (messageRef === null || messageRef === '') return refuse('failure', 'imsx_messageIdentifier is missing.');
    if (op === null) return refuse('unsupported', 'Unsupported operation.');
    const sourcedid = record.sourcedid;
    if (sourcedid === null || sourcedid === '') return refuse('failure', 'sourcedId is missing.');
    const refusal = rejected.get(sourcedid);
    if (refusal !== undefined) return refuse('failure', refusal);
    if (op === 'replaceResult') {
      const text = record.scoreText;
      if (text === null || !SCORE.test(text) || element(xml, 'language') === null) return refuse('failure', `Score "${text ?? ''}" is not a decimal from 0 to 1.`);
      grades.set(sourcedid, { text, value: Number(text) });
      return { codeMajor: 'success', description: `Score for ${sourcedid} is now ${text}.`, operation: op, messageRef };
    }
    if (op === 'readResult') {
      return { codeMajor: 'success', description: 'Result read.', operation: op, messageRef, readScore: grades.get(sourcedid)?.text ?? '' };
    }
    grades.delete(sourcedid);
    return { codeMajor: 'success', description: `Score for ${sourcedid} deleted.`, operation: op, messageRef };
  }

  function send(res: ServerResponse, record: FakeLmsRequestRecord, status: number, body: string, contentType: string): void {
    record.status = status;
    const write = (): void => {
      res.writeHead(status, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(body) });
      res.end(body);
    };
    if (latencyMs <= 0) return write();
    const timer = setTimeout(() => {
      timers.delete(timer);
      write();
    }, latencyMs);
    timers.add(timer);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks);
    const xml = raw.toString('utf8');
    const path = req.url ?? '/';
    const operation = /<(replaceResult|readResult|deleteResult)Request\b/.exec(xml)?.[1] as FakeOperation | undefined;
    const scoreText = element(xml, 'textString');
    const record: FakeLmsRequestRecord = {
      at: now(),
      path,
      consumerKey: authorizationParams(req.headers.authorization)?.get('oauth_consumer_key') ?? null,
      operation: operation ?? null,
      sourcedid: element(xml, 'sourcedId'),
      scoreText,
      score: scoreText === null || scoreText === '' ? null : Number(scoreText),
      accepted: false,
      status: null,
      codeMajor: null,
      detail: null,
    };
    records.push(record);

    if (hangCount > 0) {
      hangCount--;
      record.detail = 'hung (injected)';
      hanging.add(res);
      res.on('close', () => hanging.delete(res));
      return;
    }
    const injected = failCount > 0 ? failStatus : now() < failUntilTime ? failUntilStatus : null;
    if (injected !== null) {
      if (failCount > 0) failCount--;
      record.detail = `HTTP ${injected} (injected)`;
      return send(res, record, injected, `Simulated LMS failure ${injected}`, 'text/plain');
    }
    if (req.method !== 'POST') {
      record.detail = 'not a POST';
      return send(res, record, 405, 'POST only', 'text/plain');
    }
    const { key, refusal } = checkOAuth(req, `http://127.0.0.1:${port}${path}`, raw);
    record.consumerKey = key;
    if (refusal === null && !/^application\/xml\b/.test(req.headers['content-type'] ?? '')) {
      record.detail = 'Content-Type is not application/xml';
      return send(res, record, 415, 'application/xml only', 'text/plain');
    }
    if (refusal !== null) {
      record.detail = refusal;
      record.codeMajor = 'failure';
      const body = responseXml({ codeMajor: 'failure', description: refusal, operation: record.operation, messageRef: element(xml, 'imsx_messageIdentifier') });
      return send(res, record, 401, body, 'application/xml');
    }
    const answer = grade(xml, record);
    record.codeMajor = answer.codeMajor;
    record.accepted = answer.codeMajor === 'success';
    if (!record.accepted) record.detail = answer.description;
    send(res, record, 200, responseXml(answer), 'application/xml');
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500).end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const origin = `http://127.0.0.1:${port}`;

  return {
    url: `${origin}/outcomes`,
    origin,
    addConsumer: (key, secret) => void secrets.set(key, secret),
    grade: (sourcedid) => grades.get(sourcedid)?.value,
    requests: () => records.map((r) => ({ ...r })),
    failNext: (n, status = 500) => {
      failCount = n;
      failStatus = status;
    },
    failUntil: (timeMs, status = 503) => {
      failUntilTime = timeMs;
      failUntilStatus = status;
    },
    hangNext: (n) => {
      hangCount = n;
    },
    rejectSourcedid: (sourcedid, description) => void rejected.set(sourcedid, description),
    setLatencyMs: (ms) => {
      latencyMs = ms;
    },
    close: async () => {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      for (const res of hanging) res.destroy();
      hanging.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
