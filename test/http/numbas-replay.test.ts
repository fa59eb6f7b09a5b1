/**
 * The recorded Numbas session (../shared/fixtures/numbas-session-trace.json) replayed through the
 * player's real SCORM runtime wrapper (web/src/player/runtime.ts on scorm-again) and its real
 * transport (web/src/player/transport.ts, over a `ws` websocket and node's fetch) against the real
 * server, on every database kind: everything s1 set is stored, resuming gives every element back
 * and lets the exam end, and review mode changes nothing.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import { packageRoot } from '../../src/package-root.js';
import { buildSamplePackage } from '../../src/scorm/sample-packages.js';
import type { LaunchInfo } from '../../web/src/api.js';
import type { StorageLike } from '../../web/src/player/outbox.js';
import { ScormRuntime } from '../../web/src/player/runtime.js';
import { createScormAgainApi } from '../../web/src/player/scorm-again.js';
import { type SocketConstructor, Transport, type TransportEvent, type TransportStatus } from '../../web/src/player/transport.js';
import { bearer, launchAs, newConsumer, uploadAs } from '../helpers/launch.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';
import { databaseKinds } from '../helpers/test-store.js';
import { replayCalls } from '../helpers/scorm-trace.js';
import { readHistory } from '../../src/store/repositories/attempt-history.js';
import { readValues } from '../../src/store/repositories/attempt-data.js';

const TRACE_PATH = join(packageRoot(), '..', 'shared', 'fixtures', 'numbas-session-trace.json');
const DEADLINE_MS = 30_000;

interface Call {
  i: number;
  fn: 'Initialize' | 'GetValue' | 'SetValue' | 'Commit' | 'Terminate';
  k?: string;
  v?: string;
  ret: string;
  err: number;
}

interface Trace {
  lenientApi: { sessions: Array<{ label: string; log: Call[] }> };
}

function loadSessions(): { s1: Call[]; s2b: Call[]; s3: Call[] } {
  if (!existsSync(TRACE_PATH)) assert.fail(`Numbas trace missing: ${TRACE_PATH} (expected in ../shared/fixtures beside the repo)`);
  const trace = JSON.parse(readFileSync(TRACE_PATH, 'utf8')) as Trace;
  const get = (label: string): Call[] => {
    const found = trace.lenientApi.sessions.find((s) => s.label === label);
    assert.ok(found, label);
    return found.log;
  };
  return { s1: get('s1-ab-initio'), s2b: get('s2b-resume-full'), s3: get('s3-review') };
}

/** The last value of each element a list of SetValue calls set. */
function lastValues(...lists: Call[][]): Record<string, string> {
  const values: Record<string, string> = {};
  for (const list of lists) for (const c of list) if (c.fn === 'SetValue') values[c.k ?? ''] = c.v ?? '';
  return values;
}

class MemoryStorage implements StorageLike {
  readonly map = new Map<string, string>();
  getItem(key: string): string | null {
    return this.map.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    this.map.set(key, value);
  }
  removeItem(key: string): void {
    this.map.delete(key);
  }
}

interface NodePlayer {
  launch: LaunchInfo;
  runtime: ScormRuntime;
  transport: Transport;
  /** Elements the wrapper handed to `record`. */
  recorded: number;
  events: TransportEvent[];
  terminations: Array<{ completed: boolean }>;
  /** Resolves when the predicate holds for the transport's status (checked on every status change). */
  until(predicate: (status: TransportStatus) => boolean, what: string): Promise<void>;
}

/** What web/src/player/controller.ts `startPlayer` builds, with Node's websocket, fetch and an in-memory storage. */
async function startNodePlayer(base: string, token: string, launch: LaunchInfo, storage: StorageLike): Promise<NodePlayer> {
  const api = await createScormAgainApi(launch.scormVersion);
  const attemptId = launch.attempt.id;
  const enabled = launch.mode === 'normal' && !launch.attempt.testRun;
  const waiters: Array<{ predicate: (s: TransportStatus) => boolean; resolve: () => void }> = [];
  const player = {
    launch,
    recorded: 0,
    events: [] as TransportEvent[],
    terminations: [] as Array<{ completed: boolean }>,
  } as NodePlayer;
  const transport = new Transport({
    attemptId,
    sessionId: launch.sessionId,
    getToken: () => token,
    storage,
    WebSocket: WebSocket as unknown as SocketConstructor,
    socketUrl: `${base.replace(/^http/, 'ws')}/api/attempts/${attemptId}/socket`,
    fetch: (url, init) => fetch(new URL(url, base), init),
    batchesUrl: `${base}/api/attempts/${attemptId}/batches`,
    beaconUrl: `${base}/api/beacon/attempts/${attemptId}/batches`,
    sendBeacon: null,
    enabled,
    onStatus: (status) => {
      for (const w of [...waiters]) {
        if (w.predicate(status)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve();
        }
      }
    },
    onEvent: (event) => {
      if (event.type === 'takeover' || event.type === 'ended' || (event.type === 'refused' && event.code === 'attempt_ended')) {
        player.runtime.stop();
      }
      player.events.push(event);
    },
  });
  player.transport = transport;
  player.runtime = new ScormRuntime({
    version: launch.scormVersion,
    api,
    mode: launch.mode,
    values: launch.values,
    runtime: launch.runtime,
    record: (element) => {
      player.recorded++;
      if (enabled) transport.push(element);
    },
    onCommit: () => transport.flush(),
    onTerminate: (info) => {
      transport.terminate();
      player.terminations.push(info);
    },
  });
  player.until = (predicate, what) =>
    new Promise<void>((resolve, reject) => {
      if (predicate(transport.status())) return resolve();
      const timer = setTimeout(() => {
        const index = waiters.findIndex((w) => w.resolve === done);
        if (index !== -1) waiters.splice(index, 1);
        reject(new Error(`${what}: not reached in ${DEADLINE_MS} ms; status ${JSON.stringify(transport.status())}, events ${JSON.stringify(player.events)}`));
      }, DEADLINE_MS);
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      waiters.push({ predicate, resolve: done });
    });
  transport.start();
  return player;
}

/** Replays calls through the wrapper's API object, as the exam would call them; returns what it answered. */
function replay(player: NodePlayer, calls: Call[]): Array<{ call: Call; ret: string; err: string }> {
  return replayCalls(player.runtime.api, calls);
}

function checkNumbas(results: Array<{ call: Call; ret: string; err: string }>, numbas: Record<string, string>): number {
  let checked = 0;
  for (const { call, ret, err } of results) {
    if (call.fn !== 'GetValue' || !call.k?.startsWith('numbas.')) continue;
    const expected = numbas[call.k.slice('numbas.'.length)];
    assert.ok(expected !== undefined, `the launch gives ${call.k}`);
    assert.equal(ret, expected, `${call.k} answered from the launch's runtime.numbas`);
    assert.equal(err, '0', call.k);
    checked++;
  }
  return checked;
}

for (const kind of databaseKinds()) {
  describe(`the recorded Numbas session through the runtime and the server on ${kind}`, () => {
    const { s1, s2b, s3 } = loadSessions();
    const s1Sets = s1.filter((c) => c.fn === 'SetValue');
    let t: TestApp;
    let base: string;
    let student: string;
    let attemptId: number;
    const storage = new MemoryStorage();
    const players: NodePlayer[] = [];

    before(async () => {
      t = await createTestApp(kind);
      const lms = await newConsumer(t);
      const instructor = await launchAs(t, lms, { userId: 'teacher', role: 'Instructor' });
      // The learner the trace was recorded with, so that learner_id/learner_name read back as recorded.
      student = await launchAs(t, lms, { userId: 'student-1', role: 'Learner', name: 'Student, Test' });
      const upload = await uploadAs(t, instructor, await buildSamplePackage('2004'));
      assert.equal(upload.statusCode, 201, upload.body);
      const started = await t.app.inject({ method: 'POST', url: '/api/attempts', headers: bearer(student) });
      assert.equal(started.statusCode, 201, started.body);
      attemptId = (started.json() as { attempt: { id: number } }).attempt.id;
      base = await t.app.listen({ port: 0, host: '127.0.0.1' });
    });

    after(async () => {
      for (const p of players) p.transport.stop();
      await t?.close();
    });

    async function launch(mode: 'normal' | 'review'): Promise<LaunchInfo> {
      // The test clock stands still unless moved; between two windows of an exam, time passes.
      // (Sessions rank by the millisecond they were opened: two opened in the same one tie.)
      t.clock.now += 60_000;
      const res = await t.app.inject({ method: 'GET', url: `/api/attempts/${attemptId}/launch?mode=${mode}`, headers: bearer(student) });
      assert.equal(res.statusCode, 200, res.body);
      return res.json() as LaunchInfo;
    }

    async function storedValues(): Promise<Record<string, string>> {
      // Through the repository: long values (suspend_data) are read from the history batch they point at.
      return Object.fromEntries((await readValues(t.store.db, attemptId)).map((r) => [r.key, r.value]));
    }

    async function storedElements(): Promise<Array<{ key: string; value: string; session_id: string; seq: number }>> {
      // In stored order, which within a session is seq order (its batches commit in order).
      return (await readHistory(t.store.db, attemptId)).map((r) => ({ key: r.key, value: r.value, session_id: r.session_id, seq: r.seq }));
    }

    async function attemptRow() {
      return t.store.db
        .selectFrom('attempts')
        .select(['ended_at', 'completion_status', 'success_status', 'score_raw', 'score_max'])
        .where('id', '=', attemptId)
        .executeTakeFirstOrThrow();
    }

    it('s1 (fresh attempt): every SetValue reaches the database, in order, staged answers included', async () => {
      const info = await launch('normal');
      assert.equal(info.runtime.entry, 'ab-initio');
      assert.deepEqual(info.values, {});
      const player = await startNodePlayer(base, student, info, storage);
      players.push(player);
      const results = replay(player, s1);
      for (const { call, ret, err } of results) {
        if (call.fn === 'SetValue') {
          assert.equal(ret, 'true', `SetValue(${call.k}) #${call.i}`);
          assert.equal(err, '0', `SetValue(${call.k}) #${call.i}`);
        }
      }
      assert.ok(checkNumbas(results, info.runtime.numbas) >= 5, 'the exam read its numbas.* settings');
      assert.equal(player.recorded, s1Sets.length);
      // Numbas never commits or terminates when its window closes: the elements must leave anyway.
      await player.until((s) => s.unsaved === 0 && s.connection === 'online', 'every s1 element acknowledged');
      assert.ok(player.transport.outbox.isEmpty);
      assert.deepEqual(storage.map.size, 0, 'nothing left in the outbox storage');
      assert.deepEqual(player.events, []);
      player.transport.stop();

      const elements = await storedElements();
      assert.equal(elements.length, s1Sets.length, 'the history holds one entry per successful SetValue');
      assert.ok(elements.every((e) => e.session_id === info.sessionId));
      assert.deepEqual(
        elements.map((e) => [e.key, e.value]),
        s1Sets.map((c) => [c.k, c.v]),
        'every SetValue, in the order the exam made them',
      );
      const values = await storedValues();
      const expected = lastValues(s1);
      assert.ok(expected['cmi.interactions.4.staged_answer'] === '"paris"');
      assert.deepEqual(values, expected, 'attempt_values holds the last value of every element s1 set');
    });

    it('s2b (resume): the launch gives back every element s1 set; the exam reads them all and ends', async () => {
      const info = await launch('normal');
      assert.equal(info.runtime.entry, 'resume');
      assert.deepEqual(info.values, lastValues(s1), 'exactly the elements s1 set, with their last values');
      const player = await startNodePlayer(base, student, info, storage);
      players.push(player);
      assert.deepEqual(player.runtime.loadFailures, []);
      const results = replay(player, s2b);
      for (const { call, ret, err } of results) {
        if (call.fn === 'SetValue') {
          assert.equal(ret, 'true', `SetValue(${call.k}) #${call.i}`);
        } else if (call.fn === 'GetValue' && !call.k?.startsWith('numbas.')) {
          // What the lenient API that stored everything answered, staged answers included.
          assert.equal(ret, call.ret, `GetValue(${call.k}) #${call.i}`);
          if (call.err === 0) assert.equal(err, '0', `GetValue(${call.k}) #${call.i}`);
        } else if (call.fn !== 'GetValue') {
          assert.equal(ret, 'true', `${call.fn} #${call.i}`);
        }
      }
      assert.ok(checkNumbas(results, info.runtime.numbas) >= 5);
      assert.deepEqual(player.terminations, [{ completed: true }]);
      await player.until((s) => s.terminate === 'acked' && s.unsaved === 0, 'the terminate batch acknowledged');
      assert.deepEqual(player.events, []);

      const s2bSets = s2b.filter((c) => c.fn === 'SetValue');
      const elements = await storedElements();
      assert.equal(elements.length, s1Sets.length + s2bSets.length);
      assert.deepEqual(
        elements.filter((e) => e.session_id === info.sessionId).map((e) => [e.key, e.value]),
        s2bSets.map((c) => [c.k, c.v]),
      );
      assert.deepEqual(await storedValues(), lastValues(s1, s2b));
      const row = await attemptRow();
      assert.notEqual(row.ended_at, null, 'the terminate batch with completion "completed" ended the attempt');
      assert.equal(row.completion_status, 'completed');
      assert.equal(row.success_status, 'passed');
      assert.equal(Number(row.score_raw), 5);
      assert.equal(Number(row.score_max), 5);
    });

    it('s3 (review): the exam shows the stored answers, and nothing it sets changes the database', async () => {
      const elementsBefore = await storedElements();
      const valuesBefore = await storedValues();
      const rowBefore = await attemptRow();
      const info = await launch('review');
      assert.equal(info.mode, 'review');
      assert.deepEqual(info.values, valuesBefore);
      const player = await startNodePlayer(base, student, info, storage);
      players.push(player);
      assert.equal(player.transport.status().enabled, false, 'review sends nothing');
      const results = replay(player, s3);
      const sets = results.filter((r) => r.call.fn === 'SetValue');
      assert.equal(sets.length, 50);
      for (const { call, ret, err } of sets) {
        assert.equal(ret, 'true', `SetValue(${call.k}) #${call.i}`);
        assert.equal(err, '0', `SetValue(${call.k}) #${call.i}`);
      }
      for (const { call, ret } of results) {
        // cmi.entry: the recording's lenient API said "resume"; this server launches review with entry "".
        if (call.fn === 'GetValue' && !call.k?.startsWith('numbas.') && call.k !== 'cmi.entry') {
          assert.equal(ret, call.ret, `GetValue(${call.k}) #${call.i}`);
        }
      }
      assert.ok(checkNumbas(results, info.runtime.numbas) >= 5);
      assert.equal(player.runtime.api.GetValue?.('cmi.mode'), 'review');
      assert.equal(player.recorded, 0, 'the wrapper records nothing in review mode');
      // Give anything that might have been sent a chance to land before comparing.
      await new Promise((resolve) => setTimeout(resolve, 200));
      player.transport.stop();
      assert.equal(storage.map.size, 0);
      assert.deepEqual(await storedElements(), elementsBefore, 'the history is unchanged');
      assert.deepEqual(await storedValues(), valuesBefore, 'attempt_values unchanged');
      assert.deepEqual(await attemptRow(), rowBefore);
    });
  });
}
