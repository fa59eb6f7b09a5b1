import type { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';

/**
 * Makes a graceful shutdown actually finish on Node 20 when browsers are connected. With
 * forceCloseConnections: 'idle', Fastify reaps the connections that are idle at the moment
 * it closes, but two kinds are left open and hold server.close() (and so SIGTERM) for up to
 * a minute or more, long after a process manager has sent SIGKILL:
 *
 *  - a connection the browser opened speculatively and never used: Node counts a socket
 *    that has not sent a byte as busy (nodejs/node#63452, fixed in later Node releases);
 *  - a keep-alive connection whose request was in flight at close: once answered it is
 *    idle, but nothing reaps it until keepAliveTimeout.
 *
 * So on close this destroys sockets that have read nothing, and answers every response
 * from then on with `Connection: close`, which makes Node close its socket once sent.
 * A request in flight, even a half-sent one, still finishes.
 *
 * Call it before registering routes, so its onSend hook reaches every route.
 */
export function drainConnectionsOnClose(app: FastifyInstance): void {
  const sockets = new Set<Socket>();
  let closing = false;
  app.server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  // preClose runs right before Fastify calls server.close(), which stops new connections.
  app.addHook('preClose', async () => {
    closing = true;
    for (const socket of sockets) {
      if (socket.bytesRead === 0) socket.destroy();
    }
  });
  app.addHook('onSend', async (_request, reply, payload) => {
    if (closing) reply.header('connection', 'close');
    return payload;
  });
}
