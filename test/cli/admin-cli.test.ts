import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { verifyPassword } from '../../src/lib/password.js';
import { createTestStore, databaseKinds, type TestStore } from '../helpers/test-store.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SECRET_KEY = 'cli-test-secret-key-that-is-long-enough-0123456789';

interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the real CLI entry point in a child process, as an operator would. */
function runCli(args: string[], env: Record<string, string>, input?: string): Promise<CliResult> {
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
    child.stdin.end(input ?? '');
  });
}

for (const kind of databaseKinds()) {
  describe(`admin and consumer CLI (${kind})`, () => {
    let store: TestStore;
    let env: Record<string, string>;

    before(async () => {
      store = await createTestStore(kind);
      env = { DATA_DIR: store.dataDir, SECRET_KEY, DATABASE_URL: store.databaseUrl ?? '' };
    });
    after(async () => store.close());

    it('admin create --password-stdin creates an admin, stripping one trailing newline', async () => {
      const res = await runCli(['admin', 'create', '--username', 'alice', '--password-stdin'], env, 'a long enough password\n');
      assert.equal(res.code, 0, res.stderr);
      assert.match(res.stdout, /Admin "alice" created/);
      const row = await store.db.selectFrom('admins').selectAll().where('username', '=', 'alice').executeTakeFirstOrThrow();
      assert.match(row.password_hash, /^scrypt\$32768\$8\$1\$/);
      assert.equal(await verifyPassword('a long enough password', row.password_hash), true);
      assert.equal(await verifyPassword('a long enough password\n', row.password_hash), false);
    });

    it('refuses a duplicate username, a short password, and a missing password source', async () => {
      const duplicate = await runCli(['admin', 'create', '--username', 'alice', '--password-stdin'], env, 'another long password\n');
      assert.notEqual(duplicate.code, 0);
      assert.match(duplicate.stderr, /An admin with the username "alice" already exists\./);
      const short = await runCli(['admin', 'create', '--username', 'bob', '--password-stdin'], env, 'short\n');
      assert.notEqual(short.code, 0);
      assert.match(short.stderr, /at least 10 characters/);
      const noSource = await runCli(['admin', 'create', '--username', 'bob'], env);
      assert.notEqual(noSource.code, 0);
      assert.match(noSource.stderr, /--password-stdin/);
      const noName = await runCli(['admin', 'create', '--password-stdin'], env, 'a long enough password');
      assert.notEqual(noName.code, 0);
      assert.match(noName.stderr, /--username/);
      const admins = await store.db.selectFrom('admins').select('username').execute();
      assert.deepEqual(admins.map((a) => a.username), ['alice']);
    });

    it('adds, lists, disables and deletes a consumer', async () => {
      const add = await runCli(['consumer', 'add', '--key', 'k', '--json'], env);
      assert.equal(add.code, 0, add.stderr);
      const created = JSON.parse(add.stdout) as { key: string; secret: string };
      assert.equal(created.key, 'k');
      assert.ok(typeof created.secret === 'string' && created.secret.length >= 20);
      const row = await store.db.selectFrom('consumers').selectAll().where('key', '=', 'k').executeTakeFirstOrThrow();
      assert.ok(!row.secret_sealed.includes(created.secret));

      const list = await runCli(['consumer', 'list', '--json'], env);
      assert.equal(list.code, 0, list.stderr);
      const listed = JSON.parse(list.stdout) as Array<{ key: string; disabled: boolean }>;
      assert.deepEqual(listed.map((c) => [c.key, c.disabled]), [['k', false]]);
      assert.ok(!list.stdout.includes(created.secret), 'the list never shows secrets');

      const disable = await runCli(['consumer', 'disable', 'k'], env);
      assert.equal(disable.code, 0, disable.stderr);
      const relisted = JSON.parse((await runCli(['consumer', 'list', '--json'], env)).stdout) as Array<{ key: string; disabled: boolean }>;
      assert.deepEqual(relisted.map((c) => [c.key, c.disabled]), [['k', true]]);

      const remove = await runCli(['consumer', 'delete', 'k'], env);
      assert.equal(remove.code, 0, remove.stderr);
      assert.equal(await store.db.selectFrom('consumers').select('id').where('key', '=', 'k').executeTakeFirst(), undefined);
    });

    it('names an unknown consumer clearly and exits 1', async () => {
      for (const action of ['disable', 'enable', 'delete']) {
        const res = await runCli(['consumer', action, 'missing-key'], env);
        assert.equal(res.code, 1, action);
        assert.match(res.stderr, /There is no consumer with the key "missing-key"\./);
        assert.doesNotMatch(res.stderr, /\n\s+at /, 'no stack trace');
      }
    });

    it('stops on a bad setting with a message naming it', async () => {
      const res = await runCli(['consumer', 'list'], { ...env, PORT: 'abc' });
      assert.equal(res.code, 1);
      assert.match(res.stderr, /PORT/);
      assert.match(res.stderr, /whole number/);
    });
  });
}
