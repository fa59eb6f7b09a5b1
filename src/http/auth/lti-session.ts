import type { FastifyRequest } from 'fastify';
import { type LtiSession, readSessionToken } from '../../domain/session-token.js';
import { AppError } from '../../lib/errors.js';

/** Pages hold the session token and present it as "Authorization: Bearer …". */
export function bearerToken(request: FastifyRequest): string | null {
  const header = request.headers.authorization;
  if (!header) return null;
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  return match?.[1] ?? null;
}

export function requireLtiSession(request: FastifyRequest, token: string | null = bearerToken(request)): LtiSession {
  const { sessionKey, now } = request.server.services;
  const result = readSessionToken(sessionKey, token, now());
  if (result.ok) return result.session;
  if (result.reason === 'expired') throw new AppError('session_expired', 'Your session has expired. Open the link from your course again.');
  if (result.reason === 'missing') throw new AppError('unauthenticated', 'This request needs a session. Open the link from your course.');
  throw new AppError('session_invalid', 'This session is not valid. Open the link from your course again.');
}
