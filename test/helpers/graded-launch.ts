import { setTimeout as sleep } from 'node:timers/promises';
import { formBody, launchParams, signLaunch, type TestConsumer } from './lti11-consumer.js';
import { bearer } from './launch.js';
import type { TestApp } from './test-app.js';

const HOST = 'tool.example.edu';

export interface GradedLaunchOptions {
  userId: string;
  role: 'Instructor' | 'Learner';
  linkId: string;
  /** lis_result_sourcedid; omitted when undefined. */
  sourcedid?: string;
  /** lis_outcome_service_url; omitted when undefined. */
  outcomeUrl?: string;
  /** ext_ims_lis_basic_outcome_url (Blackboard-style); omitted when undefined. */
  extOutcomeUrl?: string;
}

/** A signed LTI 1.1 launch carrying the outcome fields an LMS sends for a graded link; returns the session token. */
export async function gradedLaunch(t: TestApp, consumer: TestConsumer, o: GradedLaunchOptions): Promise<string> {
  const params = launchParams({
    user_id: o.userId,
    roles: o.role,
    resource_link_id: o.linkId,
    lis_person_name_full: `Student ${o.userId}`,
    lis_person_name_given: undefined,
    lis_person_name_family: undefined,
    lis_person_sourcedid: o.userId,
    lis_person_contact_email_primary: `${o.userId}@example.org`,
    lis_outcome_service_url: o.outcomeUrl,
    lis_result_sourcedid: o.sourcedid,
    ...(o.extOutcomeUrl === undefined ? {} : { ext_ims_lis_basic_outcome_url: o.extOutcomeUrl }),
  });
  const res = await t.app.inject({
    method: 'POST',
    url: '/lti/launch',
    headers: { host: HOST, 'content-type': 'application/x-www-form-urlencoded' },
    payload: formBody(signLaunch(consumer, `http://${HOST}/lti/launch`, params, { timestampSeconds: Math.floor(t.clock.now / 1000) })),
  });
  const match = /#token=(.+)$/.exec(String(res.headers.location ?? ''));
  if (res.statusCode !== 303 || !match?.[1]) throw new Error(`launch failed: ${res.statusCode} ${res.body.slice(0, 300)}`);
  return decodeURIComponent(match[1]);
}

/** A student's attempt driven over the attempt HTTP routes, as the player does. */
export class AttemptDriver {
  private seq = 0;
  private constructor(
    private readonly t: TestApp,
    private readonly token: string,
    readonly attemptId: number,
    readonly sessionId: string,
  ) {}

  static async start(t: TestApp, token: string): Promise<AttemptDriver> {
    const started = await t.app.inject({ method: 'POST', url: '/api/attempts', headers: bearer(token) });
    if (started.statusCode !== 201) throw new Error(`start failed: ${started.statusCode} ${started.body}`);
    const attemptId = (started.json() as { attempt: { id: number } }).attempt.id;
    const launch = await t.app.inject({ method: 'GET', url: `/api/attempts/${attemptId}/launch`, headers: bearer(token) });
    if (launch.statusCode !== 200) throw new Error(`launch failed: ${launch.statusCode} ${launch.body}`);
    return new AttemptDriver(t, token, attemptId, String((launch.json() as { sessionId: string }).sessionId));
  }

  /** Saves one batch; `terminate` ends the attempt when completion is 'completed'. */
  async send(elements: Record<string, string>, terminate = false): Promise<void> {
    this.seq++;
    const res = await this.t.app.inject({
      method: 'POST',
      url: `/api/attempts/${this.attemptId}/batches`,
      headers: bearer(this.token),
      payload: { sessionId: this.sessionId, batches: [{ seq: this.seq, elements: Object.entries(elements).map(([k, v]) => ({ k, v, t: this.t.clock.now })), ...(terminate ? { terminate: true } : {}) }] },
    });
    const body = res.json() as { acked?: number[] };
    if (res.statusCode !== 200 || !body.acked?.includes(this.seq)) throw new Error(`batch refused: ${res.statusCode} ${res.body}`);
  }

  /** An answer that changes the score (SCORM 2004 scaled score). */
  score(scaled: number): Promise<void> {
    return this.send({ 'cmi.score.scaled': String(scaled) });
  }

  /** The exam ends with this score. */
  finish(scaled: number): Promise<void> {
    return this.send({ 'cmi.score.scaled': String(scaled), 'cmi.completion_status': 'completed', 'cmi.success_status': 'passed' }, true);
  }
}

/**
 * Runs the jobs with these keys to the end on the test clock: whenever every one of them is
 * pending (none running), the clock jumps to the earliest run time and the runner is woken, so
 * backoff costs no real time. The clock never moves while a job runs, so no claim expires
 * under it. Throws when they have not finished after `maxRounds` jumps.
 */
export async function runJobsToEnd(t: TestApp, keys: string[], maxRounds = 200): Promise<void> {
  const db = t.store.db;
  let rounds = 0;
  const started = Date.now();
  for (;;) {
    const open = await db.selectFrom('jobs').select(['id', 'state', 'run_at']).where('key', 'in', keys).where('state', 'in', ['pending', 'running']).execute();
    if (open.length === 0) return;
    if (open.every((j) => j.state === 'pending')) {
      const next = Math.min(...open.map((j) => Number(j.run_at)));
      if (next > t.clock.now) {
        if (++rounds > maxRounds) throw new Error(`jobs ${keys.join(', ')} still open after ${maxRounds} clock jumps`);
        t.clock.now = next;
      }
      t.app.services.jobs.wake();
    }
    // Only a guard against a hang: tests never depend on how long this takes.
    if (Date.now() - started > 120_000) throw new Error(`jobs ${keys.join(', ')} did not finish`);
    await sleep(5);
  }
}
