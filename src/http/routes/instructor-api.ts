import type { FastifyInstance } from 'fastify';
import { createAccessChange } from '../../commands/create-access-change.js';
import { deleteAccessChange } from '../../commands/delete-access-change.js';
import { grantAccessToken } from '../../commands/grant-access-token.js';
import { listAccessChanges } from '../../commands/list-access-changes.js';
import { readDashboard } from '../../commands/read-dashboard.js';
import { readLmsGrades } from '../../commands/read-lms-grades.js';
import { readResourceJob } from '../../commands/read-resource-job.js';
import { readResourceSettings } from '../../commands/read-resource-settings.js';
import { readStudentGradeReports } from '../../commands/read-student-grade-reports.js';
import { revokeAccessToken } from '../../commands/revoke-access-token.js';
import { startReportScores } from '../../commands/start-report-scores.js';
import { updateResourceSettings } from '../../commands/update-resource-settings.js';
import type { AccessChangeInput } from '../../domain/access-change-input.js';
import type { SettingsInput } from '../../domain/resource-settings.js';
import { requireLtiSession } from '../auth/lti-session.js';
import {
  accessChangeBody,
  accessChangesResponse,
  accessTokensResponse,
  createdAccessChangeResponse,
  dashboardQuery,
  dashboardResponse,
  idParams,
  jobResponse,
  reportScoresResponse,
  settingsBody,
  settingsResponse,
  userIdParams,
} from '../schemas/instructor-schemas.js';

/** "Grade in the LMS" waits for the platform at most this long; the dashboard then shows it as unavailable. */
const LMS_GRADES_TIMEOUT_MS = 5_000;

/**
 * The instructor's API for the session's resource. Every command checks the role and takes the
 * resource from the session, never from the request. Changes that affect access queue jobs in
 * their transaction; the job runners are woken once the change has committed.
 */
export async function instructorApiRoutes(app: FastifyInstance): Promise<void> {
  const { services } = app;
  const db = () => services.store.db;
  const wakeJobs = () => services.jobs.wake();

  // Hooks of this plugin cover its routes only: none of these answers may be cached.
  app.addHook('onSend', async (_request, reply) => {
    reply.header('Cache-Control', 'no-store');
  });

  app.get('/api/resource/settings', { schema: { response: settingsResponse } }, async (request) => readResourceSettings(db(), requireLtiSession(request)));

  app.put<{ Body: SettingsInput }>('/api/resource/settings', { schema: { body: settingsBody, response: settingsResponse } }, async (request) => {
    const answer = await updateResourceSettings(db(), requireLtiSession(request), request.body, services.now());
    wakeJobs();
    return answer;
  });

  app.get('/api/resource/access-changes', { schema: { response: accessChangesResponse } }, async (request) => listAccessChanges(db(), requireLtiSession(request)));

  app.post<{ Body: AccessChangeInput }>(
    '/api/resource/access-changes',
    { schema: { body: accessChangeBody, response: createdAccessChangeResponse } },
    async (request, reply) => {
      const body = request.body;
      const input: AccessChangeInput = {
        description: body.description,
        targets: body.targets,
        availableFrom: body.availableFrom ?? null,
        availableUntil: body.availableUntil ?? null,
        extendDeadlineMinutes: body.extendDeadlineMinutes ?? null,
        maxAttempts: body.maxAttempts ?? null,
        durationMode: body.durationMode,
        durationAmount: body.durationAmount ?? null,
      };
      const created = await createAccessChange(db(), requireLtiSession(request), input, services.now());
      wakeJobs();
      return reply.status(201).send(created);
    },
  );

  app.delete<{ Params: { id: number } }>('/api/resource/access-changes/:id', { schema: { params: idParams } }, async (request, reply) => {
    await deleteAccessChange(db(), requireLtiSession(request), request.params.id, services.now());
    wakeJobs();
    return reply.status(204).send();
  });

  app.post<{ Params: { userId: number } }>(
    '/api/resource/students/:userId/access-tokens',
    { schema: { params: userIdParams, response: accessTokensResponse } },
    async (request) => {
      const answer = await grantAccessToken(db(), requireLtiSession(request), request.params.userId, services.now());
      wakeJobs();
      return answer;
    },
  );

  app.delete<{ Params: { userId: number } }>(
    '/api/resource/students/:userId/access-tokens',
    { schema: { params: userIdParams, response: accessTokensResponse } },
    async (request) => {
      const answer = await revokeAccessToken(db(), requireLtiSession(request), request.params.userId, services.now());
      wakeJobs();
      return answer;
    },
  );

  app.get<{ Params: { userId: number } }>('/api/resource/students/:userId/grade-reports', { schema: { params: userIdParams } }, async (request) =>
    readStudentGradeReports(db(), requireLtiSession(request), request.params.userId),
  );

  app.get<{ Querystring: { q: string } }>('/api/resource/dashboard', { schema: { querystring: dashboardQuery, response: dashboardResponse } }, async (request) =>
    readDashboard(db(), requireLtiSession(request), services.now(), request.query.q, (resourceId) =>
      readLmsGrades(db(), resourceId, { box: services.secretBox, timeoutMs: LMS_GRADES_TIMEOUT_MS }, services.now()),
    ),
  );

  app.post('/api/resource/report-scores', { schema: { response: reportScoresResponse } }, async (request, reply) => {
    const started = await startReportScores(db(), requireLtiSession(request), services.now());
    wakeJobs();
    return reply.status(202).send(started);
  });

  app.get<{ Params: { id: number } }>('/api/resource/jobs/:id', { schema: { params: idParams, response: jobResponse } }, async (request) =>
    readResourceJob(db(), requireLtiSession(request), request.params.id),
  );
}
