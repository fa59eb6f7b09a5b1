/**
 * The whole product from a fresh clone, as a new user meets it: `git clone`, `npm ci`,
 * `npm start`, then the demo LMS in Chromium with third-party cookies blocked.
 *
 * By default this tests the COMMITTED tree: it clones HEAD of this repository, so
 * uncommitted changes are not in it. To try uncommitted work, set
 *
 *   FRESH_CLONE_SOURCE=worktree   copy the working tree's files instead (tracked plus
 *                                 untracked ones that .gitignore does not exclude,
 *                                 i.e. `git ls-files -co --exclude-standard`)
 *
 * The LMS page is served from http://127.0.0.1:PORT and the tool is framed from
 * http://localhost:PORT (DEMO_TOOL_ORIGIN): two different sites, so the tool runs in a
 * cross-site frame, as it does in a real LMS.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { cpSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Frame, Locator, Page } from 'playwright-core';
import { type ChromiumSession, launchChromium } from './chromium.js';
import { freePort } from '../helpers/server-process.js';

const REPO_ROOT = execFileSync('git', ['rev-parse', '--show-toplevel'], { cwd: dirname(fileURLToPath(import.meta.url)), encoding: 'utf8' }).trim();
const SOURCE = process.env.FRESH_CLONE_SOURCE === 'worktree' ? 'worktree' : 'clone';
const NPM_CI_TIMEOUT_MS = 8 * 60_000;
const START_TIMEOUT_MS = 3 * 60_000;
const UI_TIMEOUT_MS = 30_000;

/** The environment of the commands run in the clone: ours, minus what would change the product. */
function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, CI: 'true' };
  // NODE_ENV=production would make npm ci skip devDependencies (and turn the demo off);
  // the rest would point the server at the test runner's database or another origin.
  for (const name of ['NODE_ENV', 'DATABASE_URL', 'TEST_PG_URL', 'PUBLIC_URL', 'SECRET_KEY', 'DEMO', 'DEMO_TOOL_ORIGIN', 'PORT', 'HOST', 'DATA_DIR', 'TRUST_PROXY', 'LOG_LEVEL']) {
    delete env[name];
  }
  return { ...env, ...extra };
}

function copyWorktree(from: string, to: string): void {
  const files = execFileSync('git', ['ls-files', '-co', '--exclude-standard', '-z'], { cwd: from, encoding: 'utf8' }).split('\0').filter((f) => f !== '');
  for (const file of files) {
    const source = join(from, file);
    if (!existsSync(source) || lstatSync(source).isDirectory()) continue; // deleted but still tracked; or a submodule
    mkdirSync(dirname(join(to, file)), { recursive: true });
    cpSync(source, join(to, file), { verbatimSymlinks: true });
  }
}

/** Runs a command to completion, keeping the tail of its output for the failure message. */
function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let output = '';
    const keep = (chunk: Buffer): void => {
      output = (output + chunk.toString('utf8')).slice(-8000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const timer = setTimeout(() => {
      killGroup(child, 'SIGKILL');
      reject(new Error(`${command} ${args.join(' ')} took more than ${timeoutMs / 1000} s:\n${output}`));
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`${command} ${args.join(' ')} failed (${signal ?? `exit ${code}`}):\n${output}`));
    });
  });
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}

async function waitForHealth(url: string, server: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (server.exitCode !== null) throw new Error(`npm start exited with ${server.exitCode} before it was healthy:\n${log()}`);
    try {
      const response = await fetch(url);
      if (response.status === 200) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${url} was not healthy within ${START_TIMEOUT_MS / 1000} s:\n${log()}`);
}

/** Waits until the element's text matches; the error shows the last text seen. */
async function waitForText(locator: Locator, pattern: RegExp, what: string): Promise<string> {
  const deadline = Date.now() + UI_TIMEOUT_MS;
  let last = '(not found)';
  while (Date.now() < deadline) {
    try {
      last = (await locator.textContent({ timeout: 1000 })) ?? '';
      if (pattern.test(last)) return last;
    } catch {
      // Not there yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${what}: expected text matching ${pattern}, last seen "${last}"`);
}

/** The node server in npm start's process group (Linux: read from /proc). */
function serverPid(groupId: number): number | undefined {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // After "(comm)": state, ppid, pgrp, ...
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) !== groupId) continue;
      const argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (argv.some((a) => a.endsWith('dist/cli/main.js')) && argv.includes('serve')) return Number(entry);
    } catch {
      // Exited while we looked.
    }
  }
  return undefined;
}

function toolFrame(page: Page): Frame {
  const frame = page.frame({ name: 'tool-frame' });
  assert.ok(frame, 'the LMS page has the tool frame');
  return frame;
}

describe(`fresh clone: npm ci, npm start, demo LMS in Chromium (source: ${SOURCE})`, { timeout: 20 * 60_000 }, () => {
  let workDir = '';
  let server: ChildProcess | null = null;
  let serverLog = '';
  let browser: ChromiumSession | null = null;
  let port = 0;
  let lmsOrigin = '';
  let toolOrigin = '';

  before(async () => {
    workDir = mkdtempSync(join(tmpdir(), 'lti-exam-fresh-clone-'));
    const repo = join(workDir, 'repo');
    if (SOURCE === 'worktree') copyWorktree(REPO_ROOT, repo);
    else execFileSync('git', ['clone', '--quiet', REPO_ROOT, repo], { stdio: 'pipe' });

    await run('npm', ['ci', '--no-audit', '--no-fund'], repo, cleanEnv({}), NPM_CI_TIMEOUT_MS);

    port = await freePort();
    lmsOrigin = `http://127.0.0.1:${port}`;
    toolOrigin = `http://localhost:${port}`;
    server = spawn('npm', ['start'], {
      cwd: repo,
      env: cleanEnv({ PORT: String(port), DATA_DIR: join(workDir, 'data'), DEMO: '1', DEMO_TOOL_ORIGIN: toolOrigin, LOG_LEVEL: 'info' }),
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group, so cleanup reaches npm, the shell and node alike.
      detached: true,
    });
    const keep = (chunk: Buffer): void => {
      serverLog = (serverLog + chunk.toString('utf8')).slice(-16000);
    };
    server.stdout?.on('data', keep);
    server.stderr?.on('data', keep);
    await waitForHealth(`${lmsOrigin}/healthz`, server, () => serverLog);

    browser = await launchChromium({ blockThirdPartyCookies: true });
  });

  after(async () => {
    await browser?.close().catch(() => undefined);
    if (server) killGroup(server, 'SIGKILL');
    if (workDir !== '') rmSync(workDir, { recursive: true, force: true });
  });

  /** Opens the welcome page in a new tab and starts a launch with one of its buttons. */
  async function launchFromHome(origin: string, as: 'instructor' | { student: string }): Promise<{ page: Page; setCookie: string | undefined; status: number }> {
    assert.ok(browser);
    const page = await browser.context.newPage();
    await page.goto(`${origin}/`);
    const launched = page.waitForResponse((r) => r.url() === `${toolOrigin}/lti/launch`, { timeout: UI_TIMEOUT_MS });
    if (as === 'instructor') {
      await page.getByRole('button', { name: 'Open the sample exam as the instructor' }).click();
    } else {
      await page.getByLabel('Demo student').selectOption(as.student);
      await page.getByRole('button', { name: 'Open as a student' }).click();
    }
    const response = await launched;
    const headers = await response.allHeaders();
    return { page, setCookie: headers['set-cookie'], status: response.status() };
  }

  it('shows the welcome page with the demo course', async () => {
    assert.ok(browser);
    const page = await browser.context.newPage();
    try {
      await page.goto(`${lmsOrigin}/`);
      await waitForText(page.locator('h1'), /Exams in your LMS/, 'welcome heading');
      await waitForText(page.getByTestId('launch-url'), new RegExp(`^${lmsOrigin.replace(/[.]/g, '\\.')}/lti/launch$`), 'launch URL');
      await waitForText(page.locator('#demo-heading'), /Try it: demo course/, 'demo section');
    } finally {
      await page.close();
    }
  });

  it('launches into a cross-site frame without cookies; a second tab is a different session', async () => {
    const first = await launchFromHome(lmsOrigin, 'instructor');
    assert.equal(first.status, 303);
    assert.equal(first.setCookie, undefined, '/lti/launch must not set a cookie');
    const frame1 = first.page.frameLocator('iframe[name=tool-frame]');
    await waitForText(frame1.getByTestId('session-role'), /Instructor/, 'first tab role');
    await waitForText(frame1.getByTestId('resource-title'), /Sample exam/, 'first tab resource');
    await waitForText(frame1.getByTestId('session-user'), /Grace Hopper/, 'first tab user');
    assert.equal(new URL(toolFrame(first.page).url()).origin, toolOrigin, 'the tool runs in a frame on the other site');
    assert.deepEqual(await browser!.context.cookies([toolOrigin, lmsOrigin]), [], 'no cookies at all');

    const second = await launchFromHome(lmsOrigin, { student: 'demo-student-3' });
    assert.equal(second.status, 303);
    assert.equal(second.setCookie, undefined);
    const frame2 = second.page.frameLocator('iframe[name=tool-frame]');
    // The demo course comes with the sample exam: a student's first launch goes straight into it.
    await waitForText(frame2.frameLocator('[data-testid=exam-frame]').getByTestId('status'), /./, 'second tab: the sample exam runs');
    await waitForText(frame2.getByTestId('save-status'), /All answers saved/, 'second tab: the save indicator');

    // The first tab is untouched by the second launch.
    await first.page.bringToFront();
    await waitForText(frame1.getByTestId('session-role'), /Instructor/, 'first tab role after the second launch');

    // Chromium refuses storage to this cross-site frame, so the token stays in the fragment:
    // reloading the tool inside the LMS keeps the session.
    const reloaded = first.page.waitForResponse((r) => r.url() === `${toolOrigin}/api/session`, { timeout: UI_TIMEOUT_MS });
    await toolFrame(first.page).evaluate(() => window.location.reload());
    assert.equal((await reloaded).status(), 200, 'the reloaded cross-site frame still has its token');
    await waitForText(first.page.frameLocator('iframe[name=tool-frame]').getByTestId('session-role'), /Instructor/, 'role after a cross-site reload');
    await first.page.close();
    await second.page.close();
  });

  it('keeps each tab its own session across a reload of the tool (sessionStorage per tab)', async () => {
    // Where sessionStorage is allowed (here the LMS page is on the tool's own site) the token
    // moves there and leaves the address; the cross-site case is covered above.
    const first = await launchFromHome(toolOrigin, 'instructor');
    const second = await launchFromHome(toolOrigin, { student: 'demo-student-1' });
    const frame1 = first.page.frameLocator('iframe[name=tool-frame]');
    const frame2 = second.page.frameLocator('iframe[name=tool-frame]');
    await waitForText(frame1.getByTestId('session-role'), /Instructor/, 'first tab role');
    await waitForText(frame2.getByTestId('save-status'), /All answers saved/, 'second tab: in the sample exam');

    for (const [page, role] of [[first.page, /Instructor/], [second.page, /Student/]] as const) {
      await page.bringToFront();
      const frame = toolFrame(page);
      const reloaded = page.waitForResponse((r) => r.url() === `${toolOrigin}/api/session`, { timeout: UI_TIMEOUT_MS });
      await frame.evaluate(() => window.location.reload());
      const session = await reloaded;
      assert.equal(session.status(), 200, 'the reloaded tool still has its token');
      assert.doesNotMatch(toolFrame(page).url(), /token=/, 'the token is no longer in the address');
      await waitForText(page.frameLocator('iframe[name=tool-frame]').getByTestId('session-role'), role, 'role after reload');
    }
    await first.page.close();
    await second.page.close();
  });

  it('stops gracefully on SIGTERM with exit code 0', async () => {
    assert.ok(server?.pid);
    // npm 11 passes a SIGTERM on to `sh -c`, and Debian's sh (dash) does not pass it to node:
    // node would be orphaned. So, as a process manager signalling the server would, send it
    // to the node process itself; sh and then npm exit with its exit code.
    const pid = serverPid(server.pid);
    assert.ok(pid, `no "node dist/cli/main.js serve" process under npm start:\n${serverLog}`);
    const exited = new Promise<number | null>((resolve) => server!.once('exit', (code) => resolve(code)));
    process.kill(pid, 'SIGTERM');
    const code = await Promise.race([exited, new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 20_000))]);
    assert.equal(
      code,
      0,
      `npm start should exit 0 after the server's SIGTERM, got ${String(code)}` +
        (code === 'timeout' ? ' (is a browser connection holding server.close() open? see src/http/drain-connections.ts)' : '') +
        `:\n${serverLog}`,
    );
    assert.match(serverLog, /shutting down/);
  });
});
