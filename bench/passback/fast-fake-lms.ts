import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import OAuth from 'oauth-1.0a';

/**
 * A fast fake LMS outcomes endpoint for the passback benchmark. Like the test fake it checks
 * every request with code this project did not write (the `oauth-1.0a` library for the
 * signature, node:crypto for the body hash), but it keeps only counters and the grades, and
 * it counts the requests in flight: the highest count is the concurrency the LMS saw.
 */
export interface FastFakeLms {
  readonly url: string;
  readonly origin: string;
  /** The grade stored for each sourcedid. */
  readonly grades: Map<string, number>;
  stats(): { accepted: number; refused: number; refusals: Map<string, number>; maxInFlight: number };
  close(): Promise<void>;
}

const ok = (messageRef: string, sourcedid: string): string => `<?xml version="1.0" encoding="UTF-8"?>
<imsx_POXEnvelopeResponse xmlns="http://www.imsglobal.org/services/ltiv1p1/xsd/imsoms_v1p0">
  <imsx_POXHeader><imsx_POXResponseHeaderInfo><imsx_version>V1.0</imsx_version><imsx_messageIdentifier>r-${messageRef}</imsx_messageIdentifier>
    <imsx_statusInfo><imsx_codeMajor>success</imsx_codeMajor><imsx_severity>status</imsx_severity>
      <imsx_description>Score for ${sourcedid} is now set.</imsx_description><imsx_messageRefIdentifier>${messageRef}</imsx_messageRefIdentifier>
      <imsx_operationRefIdentifier>replaceResult</imsx_operationRefIdentifier></imsx_statusInfo>
  </imsx_POXResponseHeaderInfo></imsx_POXHeader>
  <imsx_POXBody><replaceResultResponse/></imsx_POXBody>
</imsx_POXEnvelopeResponse>`;

function field(xml: string, name: string): string | null {
  const match = new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml);
  return match?.[1]?.trim() ?? null;
}

function oauthParams(header: string | undefined): Map<string, string> | null {
  if (header === undefined || !/^OAuth\s/i.test(header)) return null;
  const out = new Map<string, string>();
  for (const [, name, value] of header.slice(6).matchAll(/([\w-]+)="([^"]*)"/g)) {
    if (name !== undefined && value !== undefined && name !== 'realm') out.set(name, decodeURIComponent(value));
  }
  return out;
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export async function startFastFakeLms(consumer: { key: string; secret: string }, options: { latencyMs?: number } = {}): Promise<FastFakeLms> {
  const latencyMs = options.latencyMs ?? 0;
  const oauth = new OAuth({
    consumer: { key: consumer.key, secret: consumer.secret },
    signature_method: 'HMAC-SHA1',
    hash_function: (base, key) => createHmac('sha1', key).update(base).digest('base64'),
  });
  const grades = new Map<string, number>();
  const refusals = new Map<string, number>();
  let accepted = 0;
  let inFlight = 0;
  let maxInFlight = 0;
  let port = 0;

  function refusal(req: IncomingMessage, raw: Buffer): string | null {
    const params = oauthParams(req.headers.authorization);
    if (params === null) return 'no OAuth header';
    if (params.get('oauth_consumer_key') !== consumer.key) return 'unknown consumer key';
    const hash = params.get('oauth_body_hash');
    if (hash === undefined || !same(createHash('sha1').update(raw).digest('base64'), hash)) return 'body hash mismatch';
    const given = params.get('oauth_signature') ?? '';
    const data: Record<string, string> = {};
    for (const [name, value] of params) if (name !== 'oauth_signature') data[name] = value;
    const expected = oauth.getSignature({ url: `http://127.0.0.1:${port}${req.url ?? '/'}`, method: 'POST', data: {} }, undefined, data as unknown as OAuth.Data);
    return same(expected, given) ? null : 'bad signature';
  }

  function answer(res: ServerResponse, status: number, body: string): void {
    const write = (): void => {
      res.writeHead(status, { 'Content-Type': 'application/xml', 'Content-Length': Buffer.byteLength(body) });
      res.end(body);
      inFlight--;
    };
    if (latencyMs > 0) setTimeout(write, latencyMs);
    else write();
  }

  const server = createServer((req, res) => {
    inFlight++;
    if (inFlight > maxInFlight) maxInFlight = inFlight;
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const xml = raw.toString('utf8');
      const refused = refusal(req, raw);
      const sourcedid = field(xml, 'sourcedId');
      const score = Number(field(xml, 'textString'));
      if (refused !== null || sourcedid === null || !Number.isFinite(score)) {
        const reason = refused ?? 'bad request body';
        refusals.set(reason, (refusals.get(reason) ?? 0) + 1);
        answer(res, 401, reason);
        return;
      }
      grades.set(sourcedid, score);
      accepted++;
      answer(res, 200, ok(field(xml, 'imsx_messageIdentifier') ?? '', sourcedid));
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  const origin = `http://127.0.0.1:${port}`;
  return {
    url: `${origin}/outcomes`,
    origin,
    grades,
    stats: () => ({ accepted, refused: [...refusals.values()].reduce((a, b) => a + b, 0), refusals, maxInFlight }),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
