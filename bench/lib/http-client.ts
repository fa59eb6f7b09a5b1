import { Agent, type IncomingHttpHeaders, request } from 'node:http';

export interface BenchRequest {
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  body?: string;
}

export interface BenchResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface HttpClient {
  send(req: BenchRequest): Promise<BenchResponse>;
  close(): void;
}

/**
 * A keep-alive client for one server. maxSockets equals the load's concurrency so every
 * in-flight request has its own connection, as a busy LMS front end would: no request
 * waits in the client for a socket, and no connection is opened per request.
 */
export function createHttpClient(host: string, port: number, maxSockets: number): HttpClient {
  const agent = new Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets });
  return {
    send(req) {
      return new Promise((resolve, reject) => {
        const headers: Record<string, string | number> = { ...req.headers };
        if (req.body !== undefined) headers['content-length'] = Buffer.byteLength(req.body);
        const outgoing = request({ host, port, method: req.method, path: req.path, headers, agent }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('error', reject);
          // Latency ends when the whole response has arrived, not at the status line.
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
        });
        outgoing.on('error', reject);
        outgoing.end(req.body);
      });
    },
    close() {
      agent.destroy();
    },
  };
}
