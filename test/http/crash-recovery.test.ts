import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { formBody, launchParams, registerConsumer, signLaunch, type TestConsumer } from '../helpers/lti11-consumer.js';
import { fixturePackage, multipartUpload } from '../helpers/launch.js';
import { startServerProcess, type ServerProcess } from '../helpers/server-process.js';
import { connectSocket, type SocketClient } from '../helpers/socket-client.js';
import { createTestStore, databaseKinds, type TestStore } from '../helpers/test-store.js';
import { readHistory } from '../../src/store/repositories/attempt-history.js';

const SECRET_KEY = 'crash-test-secret-key-0123456789-0123456789';
const STUDENTS = 8;

interface Student {
  token: string;
  attemptId: number;
  sessionId: string;
  sent: Map<number, Array<{ k: string; v: string }>>;
  acked: Set<number>;
  socket: SocketClient | null;
}

async function launch(server: ServerProcess, consumer: TestConsumer, userId: string, role: string): Promise<string> {
  const url = `${server.url}/lti/launch`;
  const res = await fetch(url, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: formBody(signLaunch(consumer, url, launchParams({ user_id: userId, roles: role, resource_link_id: 'crash-exam' }))),
  });
  const token = /#token=(.+)$/.exec(res.headers.get('location') ?? '')?.[1];
  assert.ok(token, `launch failed: ${res.status}`);
  return decodeURIComponent(token);
}

async function api(server: ServerProcess, token: string, path: string, init: RequestInit = {}): Promise<Record<string, unknown>> {
  const res = await fetch(`${server.url}${path}`, { ...init, headers: { authorization: `Bearer ${token}`, ...(init.headers ?? {}) } });
  const body = (await res.json()) as Record<string, unknown>;
  assert.ok(res.ok, `${path}: ${res.status} ${JSON.stringify(body)}`);
  return body;
}

for (const kind of databaseKinds()) {
  describe(`crash recovery on ${kind}`, () => {
    let store: TestStore;
    let consumer: TestConsumer;
    before(async () => {
      store = await createTestStore(kind);
      consumer = await registerConsumer(store.db, SECRET_KEY, 'crash-lms');
    });
    after(async () => store.close());

    const env = (): Record<string, string> => ({ DATA_DIR: store.dataDir, SECRET_KEY, DEMO: '0', LOG_LEVEL: 'warn', ...(store.databaseUrl ? { DATABASE_URL: store.databaseUrl } : {}) });

    it('keeps every acknowledged element through SIGKILL, and takes the resent rest exactly once', async () => {
      let server = await startServerProcess(env());
      const instructor = await launch(server, consumer, 'teacher', 'Instructor');
      const upload = multipartUpload(fixturePackage('RuntimeBasicCalls_SCORM20043rdEdition.zip'));
      await api(server, instructor, '/api/resource/package', { method: 'POST', headers: { 'content-type': upload.contentType }, body: new Uint8Array(upload.body) });

      const students: Student[] = [];
      for (let i = 0; i < STUDENTS; i++) {
        const token = await launch(server, consumer, `student-${i}`, 'Learner');
        const attemptId = ((await api(server, token, '/api/attempts', { method: 'POST' })).attempt as { id: number }).id;
        const sessionId = String((await api(server, token, `/api/attempts/${attemptId}/launch`)).sessionId);
        students.push({ token, attemptId, sessionId, sent: new Map(), acked: new Set(), socket: null });
      }

      const connect = async (s: Student, base: string): Promise<void> => {
        s.socket = await connectSocket(base, s.attemptId);
        s.socket.ws.on('message', (data) => {
          const m = JSON.parse(data.toString()) as { type: string; seq?: number };
          if (m.type === 'ack' && typeof m.seq === 'number') s.acked.add(m.seq);
        });
        s.socket.send({ type: 'hello', token: s.token, sessionId: s.sessionId });
        await s.socket.next((m) => m.type === 'ready');
      };
      for (const s of students) await connect(s, server.url);

      // Every student streams batches as fast as the server acknowledges them; then SIGKILL mid-stream.
      let streaming = true;
      const streams = students.map(async (s) => {
        for (let seq = 1; streaming; seq++) {
          const elements = [{ k: 'cmi.location', v: `${seq}` }, { k: `cmi.interactions.${seq % 50}.learner_response`, v: `answer ${seq}` }, { k: 'cmi.suspend_data', v: `state ${seq} `.repeat(20) }];
          s.sent.set(seq, elements);
          try {
            s.socket?.send({ type: 'batch', seq, elements });
          } catch {
            return;
          }
          if (seq % 5 === 0) await new Promise((r) => setTimeout(r, 2));
        }
      });
      await new Promise((r) => setTimeout(r, 1500));
      assert.equal(await server.stop('SIGKILL'), null);
      streaming = false;
      await Promise.all(streams);
      const ackedBeforeCrash = students.reduce((n, s) => n + s.acked.size, 0);
      assert.ok(ackedBeforeCrash > STUDENTS * 10, `only ${ackedBeforeCrash} batches were acknowledged before the crash\n${server.output()}`);

      // Restart on the same data: every acknowledged batch is there, with all its elements.
      server = await startServerProcess(env());
      for (const s of students) {
        const rows = (await readHistory(store.db, s.attemptId)).filter((r) => r.session_id === s.sessionId);
        for (const seq of s.acked) {
          const stored = rows.filter((r) => r.seq === seq).map((r) => ({ k: r.key, v: r.value }));
          assert.deepEqual(stored, s.sent.get(seq), `attempt ${s.attemptId} batch ${seq} was acknowledged, so it must be stored`);
        }
      }

      // Clients resend everything unacknowledged (as the player does from localStorage): all of it lands once.
      for (const s of students) {
        s.acked.clear();
        await connect(s, server.url);
        for (const [seq, elements] of s.sent) s.socket?.send({ type: 'batch', seq, elements });
        for (const seq of s.sent.keys()) await s.socket?.next((m) => m.type === 'ack' && m.seq === seq, 10_000);
        s.socket?.close();
      }
      for (const s of students) {
        const rows = (await readHistory(store.db, s.attemptId)).filter((r) => r.session_id === s.sessionId);
        assert.equal(rows.length, s.sent.size * 3, `attempt ${s.attemptId}: every batch stored exactly once`);
        const location = await store.db.selectFrom('attempt_values').select('value').where('attempt_id', '=', s.attemptId).where('key', '=', 'cmi.location').executeTakeFirstOrThrow();
        assert.equal(location.value, String(Math.max(...s.sent.keys())));
      }
      assert.equal(await server.stop('SIGTERM'), 0);
    });
  });
}
