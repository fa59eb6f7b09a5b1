import websocket from '@fastify/websocket';
import type { FastifyInstance } from 'fastify';
import type { WebSocket } from 'ws';
import { requireAttemptAccess } from '../commands/resource-access.js';
import type { IncomingBatch } from '../commands/save-attempt-batches.js';
import { type LtiSession, readSessionToken } from '../domain/session-token.js';
import { isAppError } from '../lib/errors.js';
import { parseClientMessage } from './client-message.js';

interface Connection {
  socket: WebSocket;
  sessionId: string;
  session: LtiSession;
}

const HELLO_TIMEOUT_MS = 10_000;
/** Close codes the player understands (4000-4999 are the application's own). */
const CLOSE = { takeover: 4001, ended: 4002, unauthorized: 4003, badRequest: 4004 } as const;

function send(socket: WebSocket, message: object): void {
  if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(message));
}

/**
 * The attempt websocket (docs/attempt-protocol.md): a hello with the session token, then
 * batches, each acknowledged once the group commit has stored it. Sockets are indexed by
 * attempt so events (another window opened it; the server ended it) reach them on any node.
 */
export async function attemptSocketRoutes(app: FastifyInstance): Promise<void> {
  const { services } = app;
  const open = new Map<number, Set<Connection>>();

  const unsubscribe = services.events.subscribe((event) => {
    if (event.type === 'jobs-queued') return;
    const connections = open.get(event.attemptId);
    if (!connections) return;
    for (const c of connections) {
      if (event.type === 'attempt-opened' && c.sessionId !== event.sessionId) {
        send(c.socket, { type: 'takeover', message: 'This attempt was opened in another window or tab, so it has stopped here. Your answers so far are saved; continue in the other window.' });
        c.socket.close(CLOSE.takeover, 'takeover');
      } else if (event.type === 'attempt-ended') {
        send(c.socket, { type: 'ended', reason: event.reason });
        c.socket.close(CLOSE.ended, 'ended');
      } else if (event.type === 'deadline-changed') {
        // The attempt goes on: the window shows the new deadline.
        send(c.socket, { type: 'deadline', deadline: event.deadline, message: event.message });
      }
    }
  });
  app.addHook('onClose', async () => {
    unsubscribe();
    for (const set of open.values()) for (const c of set) c.socket.close(1001, 'server shutting down');
  });

  await app.register(websocket, { options: { maxPayload: 4 * 1024 * 1024 } });

  app.get<{ Params: { id: string } }>('/api/attempts/:id/socket', { websocket: true }, (socket, request) => {
    const attemptId = Number(request.params.id);
    let connection: Connection | null = null;
    const helloTimer = setTimeout(() => socket.close(CLOSE.unauthorized, 'no hello'), HELLO_TIMEOUT_MS);

    const refuseAndClose = (code: number, message: string): void => {
      send(socket, { type: 'error', message });
      socket.close(code, message.slice(0, 120));
    };

    socket.on('message', (data) => {
      const message = parseClientMessage(data.toString());
      if (!message) return refuseAndClose(CLOSE.badRequest, 'That message is not part of the protocol.');
      if (message.type === 'hello') {
        if (connection) return;
        clearTimeout(helloTimer);
        const check = readSessionToken(services.sessionKey, message.token, services.now());
        if (!check.ok || !Number.isInteger(attemptId)) return refuseAndClose(CLOSE.unauthorized, 'This session is not valid. Open the link from your course again.');
        const session = check.session;
        requireAttemptAccess(services.store.db, session, attemptId).then(
          () => {
            if (socket.readyState !== socket.OPEN) return;
            connection = { socket, sessionId: message.sessionId, session };
            const set = open.get(attemptId) ?? new Set();
            set.add(connection);
            open.set(attemptId, set);
            send(socket, { type: 'ready' });
          },
          (error: unknown) => refuseAndClose(CLOSE.unauthorized, isAppError(error) ? error.publicMessage : 'This attempt cannot be opened.'),
        );
        return;
      }
      if (!connection) return refuseAndClose(CLOSE.unauthorized, 'Say hello with a session token first.');
      const batch: IncomingBatch = {
        attemptId,
        sessionId: connection.sessionId,
        seq: message.seq,
        elements: message.elements,
        terminate: message.terminate,
        writerRole: connection.session.role,
      };
      services.writer.submit(batch).then(
        (outcome) => send(socket, outcome.status === 'acked' ? { type: 'ack', seq: outcome.seq, ended: outcome.ended } : { type: 'refused', seq: outcome.seq, code: outcome.code, message: outcome.message }),
        (error: unknown) => {
          // Not stored, not acknowledged: the client keeps the batch and sends it again.
          request.log.error({ err: error, attemptId }, 'saving a batch failed');
        },
      );
    });

    socket.on('close', () => {
      clearTimeout(helloTimer);
      if (!connection) return;
      const set = open.get(attemptId);
      set?.delete(connection);
      if (set && set.size === 0) open.delete(attemptId);
    });
  });
}
