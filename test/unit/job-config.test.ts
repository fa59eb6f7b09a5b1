import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../../src/config.js';

function load(env: Record<string, string>) {
  const dir = mkdtempSync(join(tmpdir(), 'lti-exam-job-config-'));
  try {
    return loadConfig({ DATA_DIR: dir, SECRET_KEY: 'k'.repeat(40), ...env });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('job settings', () => {
  it('default to 8 jobs, 2 per LMS, a 7-day deadline and a 30 s timeout', () => {
    const config = load({});
    assert.equal(config.jobConcurrency, 8);
    assert.equal(config.lmsConcurrency, 2);
    assert.equal(config.outcomeDeadlineHours, 168);
    assert.equal(config.outcomeTimeoutSeconds, 30);
  });

  it('read the environment', () => {
    const config = load({ JOB_CONCURRENCY: '32', LMS_CONCURRENCY: '4', OUTCOME_DEADLINE_HOURS: '24', OUTCOME_TIMEOUT_SECONDS: '10' });
    assert.deepEqual([config.jobConcurrency, config.lmsConcurrency, config.outcomeDeadlineHours, config.outcomeTimeoutSeconds], [32, 4, 24, 10]);
  });

  const BAD: Array<[string, string, RegExp]> = [
    ['JOB_CONCURRENCY', '0', /between/],
    ['JOB_CONCURRENCY', 'many', /whole number/],
    ['LMS_CONCURRENCY', '0', /between/],
    ['LMS_CONCURRENCY', '1.5', /whole number/],
    ['OUTCOME_DEADLINE_HOURS', '0', /between/],
    ['OUTCOME_DEADLINE_HOURS', '100000', /between/],
    ['OUTCOME_TIMEOUT_SECONDS', '0', /between/],
    ['OUTCOME_TIMEOUT_SECONDS', '-5', /whole number/],
  ];
  for (const [variable, value, message] of BAD) {
    it(`stop on a bad ${variable} (${JSON.stringify(value)}) and name it`, () => {
      assert.throws(
        () => load({ [variable]: value }),
        (error: unknown) => error instanceof ConfigError && error.variable === variable && message.test(error.message),
      );
    });
  }
});
