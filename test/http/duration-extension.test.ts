/**
 * Extended exam duration reaches the exam, on every database kind: the recorded Numbas session
 * (../shared/fixtures/numbas-session-trace.json) is replayed through the player's real SCORM
 * runtime (web/src/player/runtime.ts on scorm-again), launched by the real server for students
 * with access changes: extra minutes, an extra percentage, no time limit, two changes (the later
 * one wins), and none. What Numbas reads (`numbas.duration_extension.amount`/`.units`,
 * `numbas.disable_duration`) must come back with each student's values.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runtimeDuration } from '../../src/domain/exam-duration.js';
import { packageRoot } from '../../src/package-root.js';
import { buildSamplePackage } from '../../src/scorm/sample-packages.js';
import type { LaunchInfo } from '../../web/src/api.js';
import { ScormRuntime } from '../../web/src/player/runtime.js';
import { createScormAgainApi } from '../../web/src/player/scorm-again.js';
import { bearer, newConsumer, uploadAs } from '../helpers/launch.js';
import { launchPerson } from '../helpers/launch-person.js';
import type { TestConsumer } from '../helpers/lti11-consumer.js';
import { replayCalls, type TraceCall } from '../helpers/scorm-trace.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';
import { databaseKinds } from '../helpers/test-store.js';

const TRACE_PATH = join(packageRoot(), '..', 'shared', 'fixtures', 'numbas-session-trace.json');
const DURATION_KEYS = ['numbas.duration_extension.amount', 'numbas.duration_extension.units', 'numbas.disable_duration'];

function freshAttemptSession(): TraceCall[] {
  if (!existsSync(TRACE_PATH)) assert.fail(`Numbas trace missing: ${TRACE_PATH} (expected in ../shared/fixtures beside the repo)`);
  const trace = JSON.parse(readFileSync(TRACE_PATH, 'utf8')) as { lenientApi: { sessions: Array<{ label: string; log: TraceCall[] }> } };
  const s1 = trace.lenientApi.sessions.find((s) => s.label === 's1-ab-initio');
  assert.ok(s1, 's1-ab-initio');
  return s1.log;
}

/** Runs the session through the runtime of a launch; returns what the exam got for each element it read. */
async function replayThroughRuntime(launch: LaunchInfo, calls: TraceCall[]): Promise<{ answers: Map<string, { ret: string; err: string }>; runtime: ScormRuntime }> {
  const api = await createScormAgainApi(launch.scormVersion);
  const runtime = new ScormRuntime({ version: launch.scormVersion, api, mode: launch.mode, values: launch.values, runtime: launch.runtime, record: null });
  const answers = new Map<string, { ret: string; err: string }>();
  for (const { call, ret, err } of replayCalls(runtime.api, calls)) {
    if (call.fn === 'GetValue' && call.k !== undefined && !answers.has(call.k)) answers.set(call.k, { ret, err });
  }
  return { answers, runtime };
}

for (const kind of databaseKinds()) {
  describe(`extended exam duration in the recorded Numbas session on ${kind}`, () => {
    const calls = freshAttemptSession();
    let t: TestApp;
    let lms: TestConsumer;
    let teacher: string;

    before(async () => {
      t = await createTestApp(kind, {}, { jobs: false });
      lms = await newConsumer(t);
      teacher = await launchPerson(t, lms, { userId: 'teacher', role: 'Instructor', username: 'teacher', email: 'teacher@example.org' });
      assert.equal((await uploadAs(t, teacher, await buildSamplePackage('2004'))).statusCode, 201);
      const changes = [
        { description: 'Fifteen extra minutes', targets: 'mina', durationMode: 'minutes', durationAmount: 15 },
        // Targeted by email address, in another case than the LMS sent it.
        { description: 'Half as long again', targets: 'PAT@Example.ORG', durationMode: 'percent', durationAmount: 50 },
        { description: 'No time limit', targets: 'nolimit', durationMode: 'disable' },
        { description: 'Ten minutes first', targets: 'both', durationMode: 'minutes', durationAmount: 10 },
      ];
      for (const change of changes) {
        const res = await t.app.inject({ method: 'POST', url: '/api/resource/access-changes', headers: bearer(teacher), payload: change });
        assert.equal(res.statusCode, 201, res.body);
        // Changes created in the same millisecond are ordered by id; move on anyway, as real ones are.
        t.clock.now += 1000;
      }
      const later = await t.app.inject({
        method: 'POST',
        url: '/api/resource/access-changes',
        headers: bearer(teacher),
        payload: { description: 'Then a quarter more', targets: 'both', durationMode: 'percent', durationAmount: 25 },
      });
      assert.equal(later.statusCode, 201, later.body);
    });
    after(async () => t?.close());

    async function launchFor(name: string): Promise<LaunchInfo> {
      const token = await launchPerson(t, lms, { userId: name, role: 'Learner', username: name, email: `${name}@example.org` });
      const started = await t.app.inject({ method: 'POST', url: '/api/attempts', headers: bearer(token) });
      assert.equal(started.statusCode, 201, started.body);
      const id = (started.json() as { attempt: { id: number } }).attempt.id;
      const res = await t.app.inject({ method: 'GET', url: `/api/attempts/${id}/launch`, headers: bearer(token) });
      assert.equal(res.statusCode, 200, res.body);
      return res.json() as LaunchInfo;
    }

    const cases: Array<[string, string, [string, string, string]]> = [
      ['extra minutes are answered in seconds', 'mina', ['900', 'seconds', 'false']],
      ['an extra percentage is answered as a percentage', 'pat', ['50', 'percent', 'false']],
      ['a disabled time limit is answered as disable_duration', 'nolimit', ['0', 'seconds', 'true']],
      ['of two changes, the later one wins', 'both', ['25', 'percent', 'false']],
      ['no change: no extension', 'nobody', ['0', 'seconds', 'false']],
    ];
    for (const [title, name, [amount, units, disabled]] of cases) {
      it(`${title} (${name})`, async () => {
        const launch = await launchFor(name);
        const { answers, runtime } = await replayThroughRuntime(launch, calls);
        for (const key of DURATION_KEYS) assert.ok(answers.has(key), `the recorded exam reads ${key}`);
        assert.deepEqual(
          DURATION_KEYS.map((k) => answers.get(k)),
          [
            { ret: amount, err: '0' },
            { ret: units, err: '0' },
            { ret: disabled, err: '0' },
          ],
        );
        // The package declares no time limit of its own, so max_time_allowed stays unset.
        assert.equal(launch.runtime.maxTimeAllowed, null);
        assert.equal(runtime.api.GetValue?.('cmi.max_time_allowed'), '');
        runtime.stop();
      });
    }

    it('when a base time limit exists, cmi.max_time_allowed carries it extended', async () => {
      // The server does not read a limit from manifests yet; this is the same launch with a base of one hour.
      const launch = await launchFor('mina-base');
      const extended = runtimeDuration('2004', 3600, { mode: 'minutes', amount: 15 });
      const withBase: LaunchInfo = { ...launch, runtime: { ...launch.runtime, maxTimeAllowed: extended.maxTimeAllowed, numbas: { ...launch.runtime.numbas, ...extended.numbas } } };
      const { answers, runtime } = await replayThroughRuntime(withBase, calls);
      assert.equal(runtime.api.GetValue?.('cmi.max_time_allowed'), 'PT4500S');
      assert.equal(answers.get('numbas.duration_extension.amount')?.ret, '900');
      runtime.stop();
    });
  });
}
