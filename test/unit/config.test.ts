import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../../src/config.js';

function withDir<T>(fn: (dir: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'lti-exam-config-'));
  try {
    return fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const BAD: Array<[string, string, RegExp]> = [
  ['PORT', 'abc', /whole number/],
  ['PORT', '70000', /between/],
  ['PUBLIC_URL', 'not a url', /not a URL/],
  ['PUBLIC_URL', 'ftp://x.example', /http/],
  ['PUBLIC_URL', 'https://x.example/sub/path', /origin only/],
  ['DATABASE_URL', 'mysql://x', /postgres/],
  ['TRUST_PROXY', 'maybe', /1\/0/],
  ['DEMO', 'sure', /1\/0/],
  ['SECRET_KEY', 'short', /32 characters/],
  ['LOG_LEVEL', 'loud', /one of/],
  ['SESSION_TTL_SECONDS', '5', /between/],
  ['LTI_INSTRUCTOR_ROLES', ' , ', /at least one role/],
];

describe('configuration', () => {
  for (const [variable, value, message] of BAD) {
    it(`stops on a bad ${variable} (${JSON.stringify(value)}) and names it`, () =>
      withDir((dir) => {
        assert.throws(
          () => loadConfig({ DATA_DIR: dir, SECRET_KEY: 'k'.repeat(40), [variable]: value }),
          (error: unknown) => error instanceof ConfigError && error.variable === variable && message.test(error.message) && error.message.startsWith(variable),
        );
      }));
  }

  it('has working defaults for a fresh clone: port 8080, SQLite, demo on', () =>
    withDir((dir) => {
      const config = loadConfig({ DATA_DIR: dir });
      assert.equal(config.port, 8080);
      assert.equal(config.databaseUrl, null);
      assert.equal(config.demo, true);
      assert.equal(config.publicUrl, null);
      assert.deepEqual(config.instructorRoles, ['Instructor', 'Administrator', 'ContentDeveloper', 'Manager', 'TeachingAssistant']);
    }));

  it('generates a SECRET_KEY once in development and keeps it in DATA_DIR', () =>
    withDir((dir) => {
      const first = loadConfig({ DATA_DIR: dir });
      assert.equal(first.secretKeyGenerated, true);
      assert.ok(first.secretKey.length >= 32);
      const file = join(dir, 'secret-key');
      assert.equal(readFileSync(file, 'utf8').trim(), first.secretKey);
      assert.equal(statSync(file).mode & 0o077, 0, 'the key file is private');
      assert.equal(loadConfig({ DATA_DIR: dir }).secretKey, first.secretKey);
    }));

  it('requires SECRET_KEY in production and turns the demo off there', () =>
    withDir((dir) => {
      assert.throws(() => loadConfig({ DATA_DIR: dir, NODE_ENV: 'production' }), /SECRET_KEY/);
      const config = loadConfig({ DATA_DIR: dir, NODE_ENV: 'production', SECRET_KEY: 'p'.repeat(40), DEMO: '1' });
      assert.equal(config.demo, false);
    }));

  it('turns the demo off with DEMO=0 and by default on PostgreSQL', () =>
    withDir((dir) => {
      assert.equal(loadConfig({ DATA_DIR: dir, DEMO: '0' }).demo, false);
      assert.equal(loadConfig({ DATA_DIR: dir, DATABASE_URL: 'postgres://localhost/x' }).demo, false);
      assert.equal(loadConfig({ DATA_DIR: dir, DATABASE_URL: 'postgres://localhost/x', DEMO: '1' }).demo, true);
    }));

  it('reads instructor roles as a comma-separated list', () =>
    withDir((dir) => {
      assert.deepEqual(loadConfig({ DATA_DIR: dir, LTI_INSTRUCTOR_ROLES: 'Instructor, Mentor' }).instructorRoles, ['Instructor', 'Mentor']);
    }));
});
