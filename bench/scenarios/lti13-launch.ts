import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { LTI13 } from '../../src/lti/constants.js';
import { generateRsaKeyPair, signJwt } from '../../src/lti/lti13/jwt.js';
import type { BenchRequest, BenchResponse } from '../lib/http-client.js';
import { pick, seededRandom } from '../lib/random.js';
import type { Outcome, Scenario, ScenarioContext, ScenarioDefinition } from './scenario.js';

/** The same cohort shape as the LTI 1.1 scenario: upserts hit new and existing rows. */
const USERS = 5_000;
const LINKS_PER_COURSE = 10;
const INSTRUCTORS = 50;

const ISSUER = 'https://bench-platform.example';
const CLIENT_ID = 'bench-client';
const DEPLOYMENT_ID = 'bench-deployment';
const SUCCESS_LOCATION = '/app/#token=';

/**
 * The platform side, in the bench process: its RS256 key and a JWKS endpoint the tool fetches
 * once (then serves from its cache). The platform's /auth is played inline: the bench reads
 * state and nonce from the tool's redirect and signs the id_token itself, as a platform does
 * for each launch, so that signing is counted in clientCostMicros rather than as a request.
 */
class LocalPlatform {
  readonly key = generateRsaKeyPair();
  jwksUrl = '';

  async start(): Promise<void> {
    const body = JSON.stringify({ keys: [{ ...this.key.publicJwk, alg: 'RS256', use: 'sig' }] });
    const server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(body));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    // Never keeps the bench alive by itself.
    server.unref();
    this.jwksUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks`;
  }

  idToken(nonce: string, user: number, link: number, launchUrl: string): string {
    const course = Math.floor(link / LINKS_PER_COURSE);
    const now = Math.floor(Date.now() / 1000);
    const C = LTI13.claims;
    return signJwt(
      {
        iss: ISSUER,
        aud: CLIENT_ID,
        azp: CLIENT_ID,
        sub: `user-${user}`,
        iat: now,
        exp: now + 300,
        nonce,
        given_name: 'Student',
        family_name: String(user),
        name: `Student ${user}`,
        email: `student${user}@example.org`,
        [C.messageType]: LTI13.messageTypes.resourceLink,
        [C.version]: LTI13.version,
        [C.deploymentId]: DEPLOYMENT_ID,
        [C.targetLinkUri]: launchUrl,
        [C.resourceLink]: { id: `link-${link}`, title: `Exam ${link}` },
        [C.roles]: [`http://purl.imsglobal.org/vocab/lis/v2/membership#${user < INSTRUCTORS ? 'Instructor' : 'Learner'}`],
        [C.context]: { id: `course-${course}`, title: `Course ${course}`, label: `C${course}` },
        [C.launchPresentation]: { document_target: 'iframe', return_url: `${ISSUER}/return` },
        [C.ags]: { scope: ['https://purl.imsglobal.org/spec/lti-ags/scope/score'], lineitems: `${ISSUER}/contexts/${course}/lineitems` },
      },
      { kid: this.key.kid, privateKeyPem: this.key.privateKeyPem },
    );
  }
}

function cookiesFrom(res: BenchResponse): string {
  const raw = res.headers['set-cookie'] ?? [];
  return raw.map((line) => line.split(';')[0] ?? '').filter((pair) => pair !== '').join('; ');
}

/**
 * One LTI 1.3 launch as a user experiences it: the login initiation (GET /lti/login, a 302 to
 * the platform with state and nonce, and the state cookie), the platform signing the id_token,
 * and the form post to /lti/launch with the cookie (303 into the app). Latency covers both
 * requests; the JWKS is cached by the tool after its first fetch.
 */
function createLti13Launch(context: ScenarioContext): Scenario {
  const launchUrl = `${context.origin}/lti/launch`;
  const links = context.links;
  const random = seededRandom(0x1713);
  const platform = new LocalPlatform();

  const loginRequest = (user: number): BenchRequest => {
    const query = new URLSearchParams({
      iss: ISSUER,
      login_hint: `user-${user}`,
      target_link_uri: launchUrl,
      client_id: CLIENT_ID,
      lti_deployment_id: DEPLOYMENT_ID,
    });
    return { method: 'GET', path: `/lti/login?${query}`, headers: { 'user-agent': 'lti-exam-provider-bench' } };
  };

  const launchRequest = (login: BenchResponse, user: number, link: number): BenchRequest | null => {
    const location = login.headers.location;
    if (login.status !== 302 || typeof location !== 'string') return null;
    const auth = new URL(location);
    const state = auth.searchParams.get('state');
    const nonce = auth.searchParams.get('nonce');
    if (state === null || nonce === null) return null;
    return {
      method: 'POST',
      path: '/lti/launch',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': 'lti-exam-provider-bench', cookie: cookiesFrom(login) },
      body: new URLSearchParams({ id_token: platform.idToken(nonce, user, link, launchUrl), state }).toString(),
    };
  };

  return {
    async provision(cli) {
      await platform.start();
      await cli([
        'platform', 'add',
        '--issuer', ISSUER,
        '--client-id', CLIENT_ID,
        '--auth-url', `${ISSUER}/auth`,
        '--token-url', `${ISSUER}/token`,
        '--jwks-url', platform.jwksUrl,
        '--deployment', DEPLOYMENT_ID,
      ]);
    },
    async iteration(client): Promise<Outcome> {
      const user = pick(random, USERS);
      const link = pick(random, links);
      const login = await client.send(loginRequest(user));
      const launch = launchRequest(login, user, link);
      if (launch === null) return { ok: false, label: `login: HTTP ${login.status}` };
      const res = await client.send(launch);
      const location = res.headers.location ?? '';
      if (res.status === 303 && location.startsWith(SUCCESS_LOCATION)) return { ok: true };
      return { ok: false, label: `launch: HTTP ${res.status}` };
    },
    clientCostMicros() {
      const rounds = 500;
      const start = performance.now();
      for (let i = 0; i < rounds; i++) platform.idToken(`nonce-${i}`, i % USERS, i % links, launchUrl);
      return ((performance.now() - start) * 1000) / rounds;
    },
  };
}

export const lti13LaunchScenario: ScenarioDefinition = {
  id: 'lti13',
  title: 'Launch benchmark (LTI 1.3: login and launch)',
  create: createLti13Launch,
  // On a 2-core machine, one server process, the JWKS cached.
  sqliteTarget: { perSecond: 500, p99Ms: 100 },
};
