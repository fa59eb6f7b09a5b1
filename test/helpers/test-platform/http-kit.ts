import type { IncomingMessage, ServerResponse } from 'node:http';

/** A refusal the platform answers with `status` and a readable reason (also kept in its records). */
export class PlatformRefusal extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'PlatformRefusal';
  }
}

export async function readBody(req: IncomingMessage, limit = 5_000_000): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new PlatformRefusal(413, 'too_large', 'Body too large.');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

export function mediaType(req: IncomingMessage): string {
  return (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

/** Form fields from a urlencoded body and the query string (body wins), one value per name. */
export function formFields(req: IncomingMessage, body: Buffer, url: URL): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of url.searchParams) out[name] = value;
  if (body.length > 0 && mediaType(req) === 'application/x-www-form-urlencoded') {
    for (const [name, value] of new URLSearchParams(body.toString('utf8'))) out[name] = value;
  }
  return out;
}

export function parseJsonObject(body: Buffer): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch {
    throw new PlatformRefusal(400, 'invalid_json', 'The body is not JSON.');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new PlatformRefusal(400, 'invalid_json', 'The body is not a JSON object.');
  }
  return value as Record<string, unknown>;
}

export function send(res: ServerResponse, status: number, body: string, contentType: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(body), 'Cache-Control': 'no-store', ...headers });
  res.end(body);
}

export function sendJson(res: ServerResponse, status: number, value: unknown, contentType = 'application/json', headers: Record<string, string> = {}): void {
  send(res, status, JSON.stringify(value), contentType, headers);
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** An HTML page whose form submits itself, as an LMS answers a login or an authorization. */
export function autoSubmitPage(action: string, method: 'GET' | 'POST', fields: Record<string, string>, target?: string): string {
  const inputs = Object.entries(fields)
    .map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`)
    .join('\n');
  const targetAttr = target === undefined ? '' : ` target="${escapeHtml(target)}"`;
  return `<!doctype html><html><head><meta charset="utf-8"><title>Redirecting</title></head><body>
<form id="lti" method="${method.toLowerCase()}" action="${escapeHtml(action)}"${targetAttr}>
${inputs}
<noscript><button type="submit">Continue</button></noscript>
</form>
<script>document.getElementById('lti').submit();</script>
</body></html>`;
}

/** One page of `items` by `limit` and `page` query parameters, with the Link header for the next page. */
export function paginate<T>(items: T[], url: URL, defaultSize: number): { page: T[]; link: Record<string, string> } {
  const limitParam = Number(url.searchParams.get('limit'));
  const size = Number.isInteger(limitParam) && limitParam > 0 ? limitParam : defaultSize;
  const pageParam = Number(url.searchParams.get('page') ?? '1');
  const pageNumber = Number.isInteger(pageParam) && pageParam > 0 ? pageParam : 1;
  const start = (pageNumber - 1) * size;
  const page = items.slice(start, start + size);
  if (start + size >= items.length) return { page, link: {} };
  const next = new URL(url);
  next.searchParams.set('page', String(pageNumber + 1));
  next.searchParams.set('limit', String(size));
  return { page, link: { Link: `<${next.href}>; rel="next"` } };
}
