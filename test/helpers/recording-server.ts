/**
 * A small HTTP server for service client tests: records every request (method, URL, headers,
 * body) and answers from a handler, so a test can check exactly what a client sent.
 */
import { type IncomingHttpHeaders, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  /** Path and query, as received. */
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface Reply {
  status?: number;
  headers?: Record<string, string>;
  /** An object is sent as JSON. */
  body?: string | object;
}

/** `hang` keeps the request open without answering (for timeouts). */
export type Handler = (request: RecordedRequest, baseUrl: string) => Reply | 'hang' | Promise<Reply | 'hang'>;

export interface RecordingServer {
  /** http://127.0.0.1:<port> */
  url: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

export async function startRecordingServer(handler: Handler): Promise<RecordingServer> {
  const requests: RecordedRequest[] = [];
  let baseUrl = '';
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const recorded: RecordedRequest = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(recorded);
      Promise.resolve(handler(recorded, baseUrl))
        .then((reply) => {
          if (reply === 'hang') return;
          const isJson = typeof reply.body === 'object';
          const body = reply.body === undefined ? '' : isJson ? JSON.stringify(reply.body) : String(reply.body);
          res.writeHead(reply.status ?? 200, { ...(isJson ? { 'Content-Type': 'application/json' } : {}), ...reply.headers });
          res.end(body);
        })
        .catch((error: unknown) => {
          res.writeHead(500);
          res.end(String(error));
        });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: baseUrl,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Runs `fn` with a server, closing it afterwards whatever happens. */
export async function withRecordingServer(handler: Handler, fn: (server: RecordingServer) => Promise<void>): Promise<void> {
  const server = await startRecordingServer(handler);
  try {
    await fn(server);
  } finally {
    await server.close();
  }
}
