import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import Fastify from 'fastify';
import { drainConnectionsOnClose } from '../../src/http/drain-connections.js';

function open(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => resolve(socket));
    socket.on('error', reject);
  });
}

async function within<T>(ms: number, promise: Promise<T>): Promise<T | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), ms)));
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

describe('drainConnectionsOnClose', () => {
  it('close() finishes while a client holds a connection it never used', async () => {
    const app = Fastify({ logger: false, forceCloseConnections: 'idle' });
    drainConnectionsOnClose(app);
    app.get('/', async () => 'ok');
    await app.listen({ port: 0, host: '127.0.0.1' });
    const port = (app.server.address() as { port: number }).port;
    const unused = await open(port);
    const reset = new Promise<void>((resolve) => unused.once('close', () => resolve()));
    await new Promise((resolve) => setTimeout(resolve, 50)); // let the server accept it
    assert.notEqual(await within(3000, app.close()), 'timeout', 'app.close() should not wait for the unused socket');
    await reset;
  });

  it('lets a request in flight finish, then closes its keep-alive connection', async () => {
    const app = Fastify({ logger: false, forceCloseConnections: 'idle' });
    drainConnectionsOnClose(app);
    let release: () => void = () => undefined;
    const started = new Promise<void>((resolveStarted) => {
      app.get('/slow', async () => {
        resolveStarted();
        await new Promise<void>((resolve) => (release = resolve));
        return 'done';
      });
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const port = (app.server.address() as { port: number }).port;
    const response = fetch(`http://127.0.0.1:${port}/slow`).then(async (r) => `${r.headers.get('connection')}: ${await r.text()}`);
    await started;
    const closed = app.close();
    await new Promise((resolve) => setTimeout(resolve, 50));
    release();
    assert.equal(await response, 'close: done');
    assert.notEqual(await within(3000, closed), 'timeout');
  });

  it('without it, Node 20 keeps waiting for the unused socket (why this exists)', { skip: Number(process.versions.node.split('.')[0]) > 20 ? 'newer Node closes such sockets itself' : false }, async () => {
    const app = Fastify({ logger: false, forceCloseConnections: 'idle' });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const port = (app.server.address() as { port: number }).port;
    const unused = await open(port);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const closed = app.close();
    const result = await within(500, closed);
    unused.destroy();
    await closed;
    assert.equal(result, 'timeout');
  });
});
