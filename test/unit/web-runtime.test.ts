/**
 * The player's SCORM runtime wrapper (web/src/player/runtime.ts) on the real scorm-again, replaying
 * the recorded Numbas session (../shared/fixtures/numbas-session-trace.json): a fresh attempt, a
 * resume from every element the first session set, review mode; and the golf samples.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { packageRoot } from '../../src/package-root.js';
import type { Element } from '../../web/src/player/protocol.js';
import {
  type LaunchRuntime,
  ScormRuntime,
  type ScormVersion,
  isResumableElement,
  isWrapperElement,
  resumeOrder,
} from '../../web/src/player/runtime.js';
import { createScormAgainApi } from '../../web/src/player/scorm-again.js';
import { type ReplayApi, replayCalls } from '../helpers/scorm-trace.js';

const TRACE_PATH = join(packageRoot(), '..', 'shared', 'fixtures', 'numbas-session-trace.json');

interface Call {
  i: number;
  ph: string;
  fn: 'Initialize' | 'GetValue' | 'SetValue' | 'Commit' | 'Terminate';
  k?: string;
  v?: string;
  ret: string;
  err: number;
  nonstd?: boolean;
}

interface Session {
  label: string;
  log: Call[];
}

interface Trace {
  lenientApi: { sessions: Session[] };
  golfFixtures: Record<string, { log: string[] }>;
}

function loadTrace(): Trace {
  if (!existsSync(TRACE_PATH)) assert.fail(`Numbas trace missing: ${TRACE_PATH} (expected in ../shared/fixtures beside the repo)`);
  return JSON.parse(readFileSync(TRACE_PATH, 'utf8')) as Trace;
}

function session(trace: Trace, label: string): Call[] {
  const found = trace.lenientApi.sessions.find((s) => s.label === label);
  assert.ok(found, label);
  return found.log;
}

const NUMBAS: Record<string, string> = {
  user_role: 'learner',
  initial_seed: '8524860179327642',
  'duration_extension.amount': '0',
  'duration_extension.units': 'seconds',
  disable_duration: 'false',
  review_allowed: 'true',
};

function runtime(entry: string): LaunchRuntime {
  return {
    entry,
    learnerId: 'student-1',
    learnerName: 'Student, Test',
    launchData: '',
    maxTimeAllowed: null,
    numbas: NUMBAS,
  };
}

interface Run {
  rt: ScormRuntime;
  recorded: Element[];
  commits: number;
  terminations: { completed: boolean }[];
}

async function makeRuntime(
  version: ScormVersion,
  mode: 'normal' | 'review',
  values: Record<string, string>,
  rtValues: LaunchRuntime,
  record = true,
): Promise<Run> {
  const run: Run = { rt: undefined as unknown as ScormRuntime, recorded: [], commits: 0, terminations: [] };
  run.rt = new ScormRuntime({
    version,
    api: await createScormAgainApi(version),
    mode,
    values,
    runtime: rtValues,
    record: record ? (e) => run.recorded.push(e) : null,
    onCommit: () => run.commits++,
    onTerminate: (info) => run.terminations.push(info),
    now: () => 1_700_000_000_000,
  });
  return run;
}

/** Replays a session's calls through the wrapper; returns each call with what the wrapper answered. */
function replay(run: Run, calls: Call[]): { call: Call; ret: string; err: string }[] {
  return replayCalls(run.rt.api as ReplayApi, calls);
}

/** The values a server would give back: the last value of each element set. */
function latest(...lists: Element[][]): Record<string, string> {
  const values: Record<string, string> = {};
  for (const list of lists) for (const e of list) values[e.k] = e.v;
  return values;
}

describe('web runtime: the recorded Numbas session on scorm-again', () => {
  const trace = loadTrace();
  const s1 = session(trace, 's1-ab-initio');
  const s2b = session(trace, 's2b-resume-full');
  const s3 = session(trace, 's3-review');

  let s1Recorded: Element[] = [];
  let s2Recorded: Element[] = [];

  it('a fresh attempt: every SetValue succeeds and is recorded at once, numbas.* answered from the launch', async () => {
    const run = await makeRuntime('2004', 'normal', {}, runtime('ab-initio'));
    const results = replay(run, s1);
    for (const { call, ret, err } of results) {
      if (call.fn === 'SetValue') {
        assert.equal(ret, 'true', `SetValue(${call.k}) #${call.i}`);
        assert.equal(err, '0', `SetValue(${call.k}) #${call.i}`);
      } else if (call.fn === 'GetValue' && call.k?.startsWith('numbas.')) {
        assert.equal(ret, NUMBAS[call.k.slice('numbas.'.length)], call.k);
        assert.equal(err, '0', call.k);
      } else if (call.fn === 'GetValue' && call.err === 0) {
        assert.equal(ret, call.ret, `GetValue(${call.k}) #${call.i}`);
      } else {
        assert.equal(ret, call.ret, `${call.fn}(${call.k ?? ''}) #${call.i}`);
      }
    }
    const sets = s1.filter((c) => c.fn === 'SetValue');
    assert.deepEqual(
      run.recorded.map((e) => [e.k, e.v]),
      sets.map((c) => [c.k, c.v]),
      'every SetValue recorded, in order, staged answers included',
    );
    assert.ok(run.recorded.every((e) => e.t === 1_700_000_000_000));
    assert.ok(run.recorded.some((e) => e.k === 'cmi.interactions.4.staged_answer' && e.v === '"paris"'));
    assert.equal(run.commits, s1.filter((c) => c.fn === 'Commit').length);
    assert.equal(run.terminations.length, 0);
    s1Recorded = run.recorded;
  });

  it('resume from every element set: Numbas reads back its staged answers and ends the exam', async () => {
    assert.ok(s1Recorded.length > 0, 'runs after the fresh attempt');
    const values = latest(s1Recorded);
    const run = await makeRuntime('2004', 'normal', values, runtime('resume'));
    assert.deepEqual(run.rt.loadFailures, []);
    const results = replay(run, s2b);
    for (const { call, ret, err } of results) {
      if (call.fn === 'SetValue') {
        assert.equal(ret, 'true', `SetValue(${call.k}) #${call.i}`);
      } else if (call.fn === 'GetValue' && call.k?.startsWith('numbas.')) {
        assert.equal(ret, NUMBAS[call.k.slice('numbas.'.length)], call.k);
      } else if (call.fn === 'GetValue') {
        // What the lenient API (which stored everything) answered, including staged answers.
        assert.equal(ret, call.ret, `GetValue(${call.k}) #${call.i}`);
        if (call.err === 0) assert.equal(err, '0', `GetValue(${call.k}) #${call.i}`);
        else assert.notEqual(err, '0', `GetValue(${call.k}) #${call.i}`);
      } else {
        assert.equal(ret, 'true', `${call.fn} #${call.i}`);
      }
    }
    assert.deepEqual(
      run.recorded.map((e) => [e.k, e.v]),
      s2b.filter((c) => c.fn === 'SetValue').map((c) => [c.k, c.v]),
    );
    assert.deepEqual(run.terminations, [{ completed: true }]);
    s2Recorded = run.recorded;
    // After Terminate, nothing more is accepted.
    assert.equal(run.rt.api.SetValue?.('cmi.location', '1'), 'false');
    assert.equal(run.rt.api.SetValue?.('cmi.interactions.0.staged_answer', '"1"'), 'false');
  });

  it('review mode: every SetValue answers "true" and nothing is recorded', async () => {
    assert.ok(s2Recorded.length > 0, 'runs after the resume');
    const values = latest(s1Recorded, s2Recorded);
    const run = await makeRuntime('2004', 'review', values, runtime('resume'));
    const results = replay(run, s3);
    assert.equal(results.filter((r) => r.call.fn === 'SetValue').length, 50);
    for (const { call, ret, err } of results) {
      if (call.fn === 'SetValue') {
        assert.equal(ret, 'true', `SetValue(${call.k})`);
        assert.equal(err, '0', `SetValue(${call.k})`);
      } else if (call.fn === 'GetValue' && !call.k?.startsWith('numbas.')) {
        assert.equal(ret, call.ret, `GetValue(${call.k}) #${call.i}`);
      }
    }
    assert.equal(run.rt.api.GetValue?.('cmi.mode'), 'review');
    assert.deepEqual(run.recorded, []);
    assert.equal(run.commits, 0);
  });

  it('a test run records nothing (record: null) while behaving as normal mode', async () => {
    const run = await makeRuntime('2004', 'normal', {}, runtime('ab-initio'), false);
    const results = replay(run, s1);
    assert.ok(results.filter((r) => r.call.fn === 'SetValue').every((r) => r.ret === 'true'));
    assert.deepEqual(run.recorded, []);
  });
});

describe('web runtime: launch values and wrapper elements', () => {
  it('sets read-only runtime elements through the initial load, not SetValue', async () => {
    const run = await makeRuntime('2004', 'normal', { 'cmi.location': '3', 'cmi.exit': 'suspend', 'cmi.session_time': 'PT5S' }, {
      entry: 'resume',
      learnerId: 'u-9',
      learnerName: 'Ada',
      launchData: 'seed=4',
      maxTimeAllowed: 'PT1H',
      numbas: {},
    });
    const api = run.rt.api;
    assert.equal(api.Initialize?.(''), 'true');
    assert.equal(api.GetValue?.('cmi.entry'), 'resume');
    assert.equal(api.GetValue?.('cmi.mode'), 'normal');
    assert.equal(api.GetValue?.('cmi.learner_id'), 'u-9');
    assert.equal(api.GetValue?.('cmi.learner_name'), 'Ada');
    assert.equal(api.GetValue?.('cmi.launch_data'), 'seed=4');
    assert.equal(api.GetValue?.('cmi.max_time_allowed'), 'PT1H');
    assert.equal(api.GetValue?.('cmi.location'), '3');
    // Still read-only for the SCO.
    assert.equal(api.SetValue?.('cmi.entry', 'ab-initio'), 'false');
    assert.equal(api.GetLastError?.(), '404');
    assert.deepEqual(run.recorded, []);
  });

  it('answers unset wrapper elements with "" and 403, and an unknown element as scorm-again does', async () => {
    const run = await makeRuntime('2004', 'normal', { 'cmi.interactions.1.staged_answer': '"7"', 'numbas.user_role': 'stale' }, runtime('resume'));
    const api = run.rt.api;
    assert.equal(api.GetValue?.('numbas.user_role'), '', 'before Initialize: as scorm-again');
    assert.notEqual(api.GetLastError?.(), '0');
    api.Initialize?.('');
    assert.equal(api.GetValue?.('numbas.user_role'), 'learner', 'the launch wins over stored values');
    assert.equal(api.GetValue?.('cmi.interactions.1.staged_answer'), '"7"');
    assert.equal(api.GetLastError?.(), '0');
    assert.equal(api.GetValue?.('cmi.interactions.0.staged_answer'), '');
    assert.equal(api.GetLastError?.(), '403');
    assert.equal(api.GetValue?.('foo.bar'), '');
    assert.equal(api.GetLastError?.(), '401');
    assert.equal(api.SetValue?.('numbas.custom', 'x'), 'true');
    assert.equal(api.GetLastError?.(), '0');
    assert.equal(api.GetValue?.('numbas.custom'), 'x');
    assert.deepEqual(run.recorded.map((e) => [e.k, e.v]), [['numbas.custom', 'x']]);
  });

  it('after stop() (takeover), SetValue, Commit and Terminate answer "false"', async () => {
    const run = await makeRuntime('2004', 'normal', {}, runtime('ab-initio'));
    const api = run.rt.api;
    api.Initialize?.('');
    assert.equal(api.SetValue?.('cmi.location', '1'), 'true');
    run.rt.stop();
    assert.equal(api.SetValue?.('cmi.location', '2'), 'false');
    assert.equal(api.GetLastError?.(), '351');
    assert.equal(api.SetValue?.('cmi.interactions.0.staged_answer', '"2"'), 'false');
    assert.equal(api.Commit?.(''), 'false');
    assert.equal(api.Terminate?.(''), 'false');
    assert.equal(api.GetValue?.('cmi.location'), '1');
    assert.deepEqual(run.recorded.map((e) => e.v), ['1']);
    assert.equal(run.commits, 0);
    assert.equal(run.terminations.length, 0);
  });

  it('chooses what to give back on resume', () => {
    assert.equal(isWrapperElement('numbas.initial_seed'), true);
    assert.equal(isWrapperElement('cmi.interactions.12.staged_answer'), true);
    assert.equal(isWrapperElement('cmi.interactions.12.learner_response'), false);
    assert.equal(isResumableElement('2004', 'cmi.suspend_data'), true);
    assert.equal(isResumableElement('2004', 'cmi.exit'), false);
    assert.equal(isResumableElement('2004', 'cmi.session_time'), false);
    assert.equal(isResumableElement('2004', 'cmi.entry'), false);
    assert.equal(isResumableElement('2004', 'cmi.interactions._count'), false);
    assert.equal(isResumableElement('2004', 'adl.nav.request'), false);
    assert.equal(isResumableElement('1.2', 'cmi.core.lesson_location'), true);
    assert.equal(isResumableElement('1.2', 'cmi.core.session_time'), false);
    assert.equal(isResumableElement('1.2', 'cmi.core.student_name'), false);
    assert.deepEqual(
      resumeOrder([
        'cmi.location',
        'cmi.objectives.0.score.raw',
        'cmi.interactions.10.id',
        'cmi.interactions.2.learner_response',
        'cmi.interactions.2.type',
        'cmi.interactions.2.id',
        'cmi.objectives.0.id',
      ]),
      [
        'cmi.interactions.2.id',
        'cmi.interactions.2.type',
        'cmi.interactions.2.learner_response',
        'cmi.interactions.10.id',
        'cmi.objectives.0.id',
        'cmi.objectives.0.score.raw',
        'cmi.location',
      ],
    );
  });
});

describe('web runtime: the golf samples', () => {
  const trace = loadTrace();

  function parse(line: string): { fn: string; k?: string; v?: string; ret: string } {
    const m = /^\S+ (\w+)(?:\(([^=)]*)(?:=([^)]*))?\))?->(.*) err\d+$/.exec(line);
    assert.ok(m, line);
    return { fn: m[1] as string, ...(m[2] !== undefined ? { k: m[2] } : {}), ...(m[3] !== undefined ? { v: m[3] } : {}), ret: m[4] as string };
  }

  for (const [name, version] of [
    ['golf2004-RuntimeBasicCalls', '2004'],
    ['golf12-singlescobasic', '1.2'],
  ] as const) {
    it(`${name}: SCORM ${version} calls answer as recorded and every SetValue is recorded`, async () => {
      const run = await makeRuntime(version, 'normal', {}, runtime('ab-initio'));
      const api = run.rt.api;
      const names =
        version === '2004'
          ? { Initialize: 'Initialize', GetValue: 'GetValue', SetValue: 'SetValue', Terminate: 'Terminate' }
          : { Initialize: 'LMSInitialize', GetValue: 'LMSGetValue', SetValue: 'LMSSetValue', Terminate: 'LMSFinish' };
      const sets: [string, string][] = [];
      for (const line of trace.golfFixtures[name]?.log ?? []) {
        const call = parse(line);
        const fn = api[names[call.fn as keyof typeof names]];
        assert.ok(fn, call.fn);
        const ret = call.fn === 'GetValue' || call.fn === 'SetValue' ? fn(call.k ?? '', call.v ?? '') : fn('');
        assert.equal(ret, call.ret, line);
        if (call.fn === 'SetValue') sets.push([call.k ?? '', call.v ?? '']);
      }
      assert.deepEqual(run.recorded.map((e) => [e.k, e.v]), sets);
      assert.deepEqual(run.terminations, [{ completed: false }]);
    });
  }

  it('a status the API settles itself at Terminate is recorded too', async () => {
    // scorm-again may settle a status at Terminate (completion_threshold, mastery_score, 1.2's
    // default lesson_status): a stand-in API that does so.
    const cmi = { core: { lesson_status: 'not attempted' } };
    let initialized = false;
    const fake = {
      cmi,
      isInitialized: () => initialized,
      loadFromFlattenedJSON: () => {},
      LMSInitialize: () => {
        initialized = true;
        return 'true';
      },
      LMSFinish: () => {
        initialized = false;
        cmi.core.lesson_status = 'incomplete';
        return 'true';
      },
      LMSGetValue: () => '',
      LMSSetValue: () => 'true',
      LMSCommit: () => 'true',
      LMSGetLastError: () => '0',
      LMSGetErrorString: () => '',
      LMSGetDiagnostic: () => '',
    };
    const recorded: Element[] = [];
    const terminations: { completed: boolean }[] = [];
    const rt = new ScormRuntime({
      version: '1.2',
      api: fake,
      mode: 'normal',
      values: {},
      runtime: runtime('ab-initio'),
      record: (e) => recorded.push(e),
      onTerminate: (info) => terminations.push(info),
    });
    rt.api.LMSInitialize?.('');
    rt.api.LMSSetValue?.('cmi.core.lesson_location', '4');
    assert.equal(rt.api.LMSFinish?.(''), 'true');
    assert.deepEqual(recorded.map((e) => [e.k, e.v]), [
      ['cmi.core.lesson_location', '4'],
      ['cmi.core.lesson_status', 'incomplete'],
    ]);
    assert.deepEqual(terminations, [{ completed: false }]);
  });

  it('SCORM 1.2 resume: stored values come back, with entry and lesson mode from the launch', async () => {
    const run = await makeRuntime(
      '1.2',
      'review',
      { 'cmi.core.lesson_location': '3', 'cmi.core.lesson_status': 'passed', 'cmi.core.score.raw': '80', 'cmi.suspend_data': 'abc' },
      runtime('resume'),
    );
    const api = run.rt.api;
    api.LMSInitialize?.('');
    assert.equal(api.LMSGetValue?.('cmi.core.entry'), 'resume');
    assert.equal(api.LMSGetValue?.('cmi.core.lesson_mode'), 'review');
    assert.equal(api.LMSGetValue?.('cmi.core.lesson_location'), '3');
    assert.equal(api.LMSGetValue?.('cmi.core.lesson_status'), 'passed');
    assert.equal(api.LMSGetValue?.('cmi.core.score.raw'), '80');
    assert.equal(api.LMSGetValue?.('cmi.suspend_data'), 'abc');
    assert.equal(api.LMSSetValue?.('cmi.core.lesson_location', '9'), 'true');
    assert.equal(api.LMSSetValue?.('cmi.core.student_name', 'x'), 'true', 'review: every SetValue answers true');
    assert.equal(api.LMSGetLastError?.(), '0');
    assert.deepEqual(run.recorded, []);
  });
});
