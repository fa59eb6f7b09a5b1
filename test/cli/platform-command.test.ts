import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createTestStore, databaseKinds, type TestStore } from '../helpers/test-store.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SECRET_KEY = 'cli-test-secret-key-that-is-long-enough-0123456789';

interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the real CLI entry point in a child process, as an operator would. */
function runCli(args: string[], env: Record<string, string>): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
      cwd: ROOT,
      // Only what the CLI needs: no DATABASE_URL or other settings leaking in from the runner.
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', LOG_LEVEL: 'silent', ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end('');
  });
}

const ADD = ['platform', 'add', '--issuer', 'https://lms.example.edu', '--auth-url', 'https://lms.example.edu/auth', '--token-url', 'https://lms.example.edu/token', '--jwks-url', 'https://lms.example.edu/jwks'];

interface Listed {
  id: number;
  issuer: string;
  clientId: string;
  tokenAudience: string | null;
  name: string | null;
  disabled: boolean;
  deployments: string[];
}

for (const kind of databaseKinds()) {
  describe(`platform and keys CLI (${kind})`, () => {
    let store: TestStore;
    let env: Record<string, string>;

    async function listed(): Promise<Listed[]> {
      const res = await runCli(['platform', 'list', '--json'], env);
      assert.equal(res.code, 0, res.stderr);
      return JSON.parse(res.stdout) as Listed[];
    }

    before(async () => {
      store = await createTestStore(kind);
      env = { DATA_DIR: store.dataDir, SECRET_KEY, DATABASE_URL: store.databaseUrl ?? '' };
    });
    after(async () => store.close());

    it('adds platforms (one issuer, two client ids) with deployments and an audience, and refuses a duplicate', async () => {
      const add = await runCli([...ADD, '--client-id', 'a', '--name', 'Main LMS', '--deployment', 'd1', '--deployment', 'd2', '--json'], env);
      assert.equal(add.code, 0, add.stderr);
      const created = JSON.parse(add.stdout) as Listed;
      assert.equal(created.clientId, 'a');
      assert.deepEqual(created.deployments, ['d1', 'd2']);
      const second = await runCli([...ADD, '--client-id', 'b', '--audience', 'https://lms.example.edu/aud'], env);
      assert.equal(second.code, 0, second.stderr);
      assert.match(second.stdout, /Platform registered\./);
      assert.match(second.stdout, /audience: +https:\/\/lms\.example\.edu\/aud/);
      const dup = await runCli([...ADD, '--client-id', 'a'], env);
      assert.equal(dup.code, 1);
      assert.match(dup.stderr, /already registered/);
      assert.doesNotMatch(dup.stderr, /\n\s+at /, 'no stack trace');
      const all = await listed();
      assert.deepEqual(all.map((p) => [p.clientId, p.name, p.tokenAudience, p.deployments]), [
        ['a', 'Main LMS', null, ['d1', 'd2']],
        ['b', null, 'https://lms.example.edu/aud', []],
      ]);
      const tenants = await store.db.selectFrom('consumers').select(['key', 'lti13_only']).orderBy('key').execute();
      assert.deepEqual(tenants, [
        { key: 'lti13:https://lms.example.edu#a', lti13_only: 1 },
        { key: 'lti13:https://lms.example.edu#b', lti13_only: 1 },
      ]);
      const consumers = await runCli(['consumer', 'list', '--json'], env);
      assert.deepEqual(JSON.parse(consumers.stdout), [], 'platform tenants are not consumers');
    });

    it('refuses missing options and bad URLs with a usage message', async () => {
      const missing = await runCli(['platform', 'add', '--issuer', 'https://x.example'], env);
      assert.equal(missing.code, 64);
      assert.match(missing.stderr, /--client-id, --auth-url, --token-url, --jwks-url/);
      const bad = await runCli([...ADD.map((a) => (a === 'https://lms.example.edu/token' ? 'ftp://lms.example.edu/token' : a)), '--client-id', 'c'], env);
      assert.equal(bad.code, 1);
      assert.match(bad.stderr, /access token URL "ftp:\/\/lms\.example\.edu\/token" is not an http\(s\) URL/);
      const noId = await runCli(['platform', 'disable'], env);
      assert.equal(noId.code, 64);
      assert.match(noId.stderr, /--id/);
      assert.equal((await listed()).length, 2);
    });

    it('adds a deployment, disables, enables and deletes a platform', async () => {
      const [first] = await listed();
      assert.ok(first);
      const id = String(first.id);
      const dep = await runCli(['platform', 'deployment', 'add', '--id', id, '--deployment', 'd3'], env);
      assert.equal(dep.code, 0, dep.stderr);
      assert.match(dep.stdout, /Deployment "d3" added to platform/);
      const again = await runCli(['platform', 'deployment', 'add', '--id', id, '--deployment', 'd3'], env);
      assert.equal(again.code, 1);
      assert.match(again.stderr, /already recorded/);
      assert.equal((await runCli(['platform', 'disable', '--id', id], env)).code, 0);
      assert.deepEqual((await listed()).map((p) => [p.clientId, p.disabled, p.deployments.length]), [
        ['a', true, 3],
        ['b', false, 0],
      ]);
      assert.equal((await runCli(['platform', 'enable', '--id', id], env)).code, 0);
      const text = await runCli(['platform', 'list'], env);
      assert.match(text.stdout, new RegExp(`^${id}\\tenabled\\thttps://lms\\.example\\.edu\\ta\\t3 deployments\\tMain LMS$`, 'm'));
      const remove = await runCli(['platform', 'delete', '--id', id], env);
      assert.equal(remove.code, 0, remove.stderr);
      assert.deepEqual((await listed()).map((p) => p.clientId), ['b']);
      const missing = await runCli(['platform', 'delete', '--id', id], env);
      assert.equal(missing.code, 1);
      assert.match(missing.stderr, new RegExp(`There is no platform with the id ${id}\\.`));
    });

    it('lists and rotates the signing keys', async () => {
      const first = await runCli(['keys', 'list', '--json'], env);
      assert.equal(first.code, 0, first.stderr);
      const keys = JSON.parse(first.stdout) as Array<{ kid: string; state: string; expiresAt: number | null }>;
      assert.equal(keys.length, 1);
      assert.equal(keys[0]?.state, 'signing');
      const rotate = await runCli(['keys', 'rotate', '--json'], { ...env, LTI_KEY_OVERLAP_DAYS: '3' });
      assert.equal(rotate.code, 0, rotate.stderr);
      const rotated = JSON.parse(rotate.stdout) as { kid: string; retired: string[]; expiresAt: number };
      assert.deepEqual(rotated.retired, [keys[0]?.kid]);
      const row = await store.db.selectFrom('tool_keys').selectAll().where('kid', '=', keys[0]?.kid ?? '').executeTakeFirstOrThrow();
      assert.equal(row.expires_at, rotated.expiresAt);
      assert.equal(Number(row.expires_at) - Number(row.retired_at), 3 * 24 * 3600 * 1000, 'the overlap comes from LTI_KEY_OVERLAP_DAYS');
      const text = await runCli(['keys', 'list'], env);
      assert.match(text.stdout, new RegExp(`^${rotated.kid}\\tsigning\\t`, 'm'));
      assert.match(text.stdout, new RegExp(`^${keys[0]?.kid}\\tpublished\\t.*published until `, 'm'));
      const help = await runCli(['--help'], env);
      assert.match(help.stdout, /platform deployment add --id ID --deployment DEPLOYMENT_ID/);
      assert.match(help.stdout, /keys rotate/);
    });
  });
}
