import type { Dialect } from '../../src/store/database.js';
import { type LtiSession, readSessionToken } from '../../src/domain/session-token.js';
import { buildSamplePackage } from '../../src/scorm/sample-packages.js';
import { bearer, launchAs, newConsumer, uploadAs } from '../../test/helpers/launch.js';
import { startPostgres } from '../../test/helpers/postgres-server.js';
import type { TestApp } from '../../test/helpers/test-app.js';
import { historyBatch } from './elements.js';

/** What the resume diagnostics time: one student's attempt with a 20,000-element history (500 keys). */
export interface ResumeFixture {
  t: TestApp;
  token: string;
  attemptId: number;
  sessionId: string;
  session: LtiSession;
  keys: { grantKey: Buffer; grantTtlSeconds: number };
  close(): Promise<void>;
}

/** A throwaway app (and PostgreSQL cluster, fsync on) holding one long attempt, for resume-probe.ts and resume-breakdown.ts. */
export async function resumeFixture(kind: Dialect): Promise<ResumeFixture> {
  const postgres = kind === 'postgres' ? await startPostgres({ fsync: true }) : null;
  if (postgres) process.env.TEST_PG_URL = postgres.url;
  // Imported after TEST_PG_URL is set: the test store reads it.
  const { createTestApp } = await import('../../test/helpers/test-app.js');
  const t = await createTestApp(kind, {}, { realClock: true });
  const { services } = t.app;
  const lms = await newConsumer(t);
  await uploadAs(t, await launchAs(t, lms, { userId: 'teacher', role: 'Instructor' }), await buildSamplePackage('2004'));
  const token = await launchAs(t, lms, { userId: 'resumer', role: 'Learner' });
  const attemptId = (JSON.parse((await t.app.inject({ method: 'POST', url: '/api/attempts', headers: bearer(token) })).body) as { attempt: { id: number } }).attempt.id;
  const sessionId = (JSON.parse((await t.app.inject({ method: 'GET', url: `/api/attempts/${attemptId}/launch`, headers: bearer(token) })).body) as { sessionId: string }).sessionId;
  for (let b = 0; b < 200; b++) {
    await services.writer.submit({ attemptId, sessionId, seq: b + 1, elements: historyBatch(b, 100, Date.now()), terminate: false, writerRole: 'student' });
  }
  const check = readSessionToken(services.sessionKey, token, Date.now());
  if (!check.ok) throw new Error('the fixture could not read its own session token');
  return {
    t,
    token,
    attemptId,
    sessionId,
    session: check.session,
    keys: { grantKey: services.grantKey, grantTtlSeconds: 3600 },
    async close() {
      await t.close();
      postgres?.stop();
    },
  };
}
