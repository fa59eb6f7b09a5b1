import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { SQLITE_PAGE_SIZE, openSqliteConnection } from '../../src/store/sqlite-connection.js';
import { BACKSTOP_WAL_BYTES } from '../../src/store/sqlite-checkpointer.js';

function withDir(run: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'lti-exam-pages-'));
  try {
    run(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('SQLite page size', () => {
  it('creates a new database with 16 KiB pages and a 64 MiB WAL backstop', () => {
    withDir((dir) => {
      const db = openSqliteConnection(join(dir, 'new.sqlite'));
      db.exec('create table t (x integer)');
      assert.equal(SQLITE_PAGE_SIZE, 16384);
      assert.equal(db.pragma('page_size', { simple: true }), SQLITE_PAGE_SIZE);
      assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
      assert.equal(db.pragma('wal_autocheckpoint', { simple: true }), BACKSTOP_WAL_BYTES / SQLITE_PAGE_SIZE);
      db.close();
    });
  });

  it('opens a database made with 4 KiB pages as it is: same pages, same rows, a backstop in its pages', () => {
    withDir((dir) => {
      const file = join(dir, 'old.sqlite');
      const old = new SQLite(file);
      old.pragma('page_size = 4096');
      old.pragma('journal_mode = WAL');
      old.exec("create table t (x text); insert into t values ('kept')");
      old.close();
      const db = openSqliteConnection(file);
      assert.equal(db.pragma('page_size', { simple: true }), 4096);
      assert.equal(db.pragma('wal_autocheckpoint', { simple: true }), BACKSTOP_WAL_BYTES / 4096);
      assert.deepEqual(db.prepare('select x from t').all(), [{ x: 'kept' }]);
      db.prepare("insert into t values ('new')").run();
      assert.equal((db.prepare('select count(*) as n from t').get() as { n: number }).n, 2);
      db.close();
    });
  });
});
