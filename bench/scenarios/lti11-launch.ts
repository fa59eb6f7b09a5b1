import { signParameters } from '../../src/lti/oauth1/index.js';
import { launchParams } from '../../test/helpers/lti11-consumer.js';
import type { BenchRequest } from '../lib/http-client.js';
import { pick, seededRandom } from '../lib/random.js';
import type { Outcome, Scenario, ScenarioContext, ScenarioDefinition } from './scenario.js';

/** A cohort: launches spread over this many users (and over --links links), so upserts hit new and existing rows. */
export const LTI11_USERS = 5_000;
/** Links belong to courses (contexts), ten links per course... */
const LINKS_PER_COURSE = 10;
/** ...and the first users of the cohort are staff, so some launches take the instructor path. */
const INSTRUCTORS = 50;

const CONSUMER_KEY = 'bench';
const LAUNCH_PATH = '/lti/launch';
const SUCCESS_LOCATION = '/app/#token=';

/**
 * Signed LTI 1.1 basic launches, each one fresh: a new nonce and the current timestamp,
 * signed inline with HMAC-SHA1 as an LMS does per click. Signing costs the bench process a
 * few tens of microseconds (clientCostMicros measures it), small next to the server's work,
 * so requests are not pre-signed: a pre-signed pool would also age past the timestamp skew
 * window on a long run.
 */
function createLti11Launch(context: ScenarioContext): Scenario {
  const url = `${context.origin}${LAUNCH_PATH}`;
  const random = seededRandom(0x1711);
  let secret: string | null = null;

  const nextRequest = (): BenchRequest => {
    if (secret === null) throw new Error('lti11 launch scenario used before provision()');
    const user = pick(random, LTI11_USERS);
    const link = pick(random, context.links);
    const course = Math.floor(link / LINKS_PER_COURSE);
    const params = launchParams({
      user_id: `user-${user}`,
      roles: user < INSTRUCTORS ? 'Instructor' : 'Learner',
      lis_person_name_given: 'Student',
      lis_person_name_family: String(user),
      lis_person_name_full: `Student ${user}`,
      lis_person_contact_email_primary: `student${user}@example.org`,
      lis_person_sourcedid: `student.${user}`,
      resource_link_id: `link-${link}`,
      resource_link_title: `Exam ${link}`,
      context_id: `course-${course}`,
      context_title: `Course ${course}`,
      context_label: `C${course}`,
      lis_result_sourcedid: `sourcedid-${user}-${link}`,
    });
    const signed = signParameters({ method: 'POST', url, params: Object.entries(params), consumerKey: CONSUMER_KEY, consumerSecret: secret });
    return {
      method: 'POST',
      path: LAUNCH_PATH,
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': 'lti-exam-provider-bench' },
      body: new URLSearchParams(signed).toString(),
    };
  };

  return {
    async provision(cli) {
      const created = JSON.parse(await cli(['consumer', 'add', '--key', CONSUMER_KEY, '--json'])) as { secret?: unknown };
      if (typeof created.secret !== 'string') throw new Error('consumer add --json printed no secret');
      secret = created.secret;
    },
    async iteration(client): Promise<Outcome> {
      const res = await client.send(nextRequest());
      const location = res.headers.location ?? '';
      if (res.status === 303 && location.startsWith(SUCCESS_LOCATION)) return { ok: true };
      return { ok: false, label: res.status === 303 ? 'HTTP 303 to an unexpected Location' : `HTTP ${res.status}` };
    },
    clientCostMicros() {
      const rounds = 2_000;
      const start = performance.now();
      for (let i = 0; i < rounds; i++) nextRequest();
      return ((performance.now() - start) * 1000) / rounds;
    },
  };
}

export const lti11LaunchScenario: ScenarioDefinition = {
  id: 'lti11',
  title: 'Launch benchmark (LTI 1.1)',
  create: createLti11Launch,
  // On a 2-core machine, one server process.
  sqliteTarget: { perSecond: 1000, p99Ms: 50 },
};
