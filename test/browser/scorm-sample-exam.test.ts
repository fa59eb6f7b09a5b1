/**
 * Runs our sample SCORM exams in Chromium under a recording fake LMS, to pin down the
 * Numbas-like traffic the player must cope with: many SetValues, no Commit while running,
 * nothing on unload, Terminate straight after the final values, resume and review.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { type Server, createServer } from 'node:http';
import { normalize } from 'node:path';
import type { FrameLocator, Page } from 'playwright-core';
import { type SamplePackage, samplePackageFiles } from '../../src/scorm/sample-packages.js';
import { type ChromiumSession, launchChromium } from './chromium.js';

type Call = [string, ...string[]];

const API_NAMES: Record<SamplePackage, { global: string; methods: string[] }> = {
  '2004': { global: 'API_1484_11', methods: ['Initialize', 'GetValue', 'SetValue', 'Commit', 'Terminate'] },
  '1.2': { global: 'API', methods: ['LMSInitialize', 'LMSGetValue', 'LMSSetValue', 'LMSCommit', 'LMSFinish'] },
};

/** The LMS page: a fake API that records every call, framing the exam. Seed values come in the URL. */
function lmsPage(which: SamplePackage, seed: Record<string, string>): string {
  const { global, methods } = API_NAMES[which];
  const [init, get, set, commit, finish] = methods;
  return `<!doctype html><title>LMS</title><script>
    window.calls = [];
    window.store = ${JSON.stringify(seed)};
    window[${JSON.stringify(global)}] = {
      ${init}: function () { calls.push([${JSON.stringify(init)}]); return 'true'; },
      ${get}: function (k) { calls.push([${JSON.stringify(get)}, k]); return k in store ? store[k] : ''; },
      ${set}: function (k, v) { calls.push([${JSON.stringify(set)}, k, v]); store[k] = v; return 'true'; },
      ${commit}: function () { calls.push([${JSON.stringify(commit)}]); return 'true'; },
      ${finish}: function () { calls.push([${JSON.stringify(finish)}]); return 'true'; },
      GetLastError: function () { return '0'; }, LMSGetLastError: function () { return '0'; },
    };
  </script><iframe id="sco" title="Exam" src="/content/${which}/index.html" style="width:100%;height:800px"></iframe>`;
}

describe('sample SCORM exams in Chromium', () => {
  let server: Server;
  let port = 0;
  let session: ChromiumSession;
  const seeds = new Map<string, Record<string, string>>();

  before(async () => {
    server = createServer((request, response) => {
      void (async () => {
        const url = new URL(request.url ?? '/', 'http://127.0.0.1');
        const lms = /^\/lms\/(2004|1\.2)\/(\w+)$/.exec(url.pathname);
        if (lms) {
          response.writeHead(200, { 'content-type': 'text/html' });
          response.end(lmsPage(lms[1] as SamplePackage, seeds.get(lms[2] ?? '') ?? {}));
          return;
        }
        const content = /^\/content\/(2004|1\.2)\/([\w.-]+)$/.exec(url.pathname);
        if (content) {
          const file = normalize(content[2] ?? '');
          const types: Record<string, string> = { html: 'text/html', js: 'text/javascript', css: 'text/css' };
          const body = (await samplePackageFiles(content[1] as SamplePackage)).get(file);
          if (!body) throw new Error(`no ${file} in the sample`);
          response.writeHead(200, { 'content-type': types[file.split('.').pop() ?? ''] ?? 'application/octet-stream' });
          response.end(body);
          return;
        }
        response.writeHead(404).end();
      })().catch(() => response.writeHead(404).end());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    port = typeof address === 'object' && address ? address.port : 0;
    session = await launchChromium();
  });

  after(async () => {
    await session?.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  let seedCounter = 0;
  async function open(which: SamplePackage, seed: Record<string, string> = {}): Promise<{ page: Page; exam: FrameLocator }> {
    const id = `s${++seedCounter}`;
    seeds.set(id, seed);
    const page = await session.context.newPage();
    await page.goto(`http://127.0.0.1:${port}/lms/${which}/${id}`);
    const exam = page.frameLocator('#sco');
    await exam.getByTestId('status').filter({ hasNotText: 'Loading' }).waitFor();
    return { page, exam };
  }

  const calls = (page: Page): Promise<Call[]> => page.evaluate(() => (window as unknown as { calls: Call[] }).calls);
  const store = (page: Page): Promise<Record<string, string>> =>
    page.evaluate(() => (window as unknown as { store: Record<string, string> }).store);
  const setKeys = (list: Call[], setter: string): string[] => list.filter((c) => c[0] === setter).map((c) => c[1] ?? '');

  it('SCORM 2004: sets ~30 elements at start, a few per answer, and ends with Terminate but no Commit', async () => {
    const { page, exam } = await open('2004', { 'cmi.entry': 'ab-initio', 'cmi.mode': 'normal' });
    const startCalls = await calls(page);
    assert.deepEqual(startCalls[0], ['Initialize']);
    const started = setKeys(startCalls, 'SetValue');
    assert.ok(started.length >= 28 && started.length <= 32, `${started.length} SetValues at start`);
    for (const key of ['cmi.completion_status', 'cmi.success_status', 'cmi.score.min', 'cmi.score.max', 'cmi.objectives.2.id',
      'cmi.objectives.0.score.raw', 'cmi.interactions.1.type', 'cmi.interactions.2.description', 'cmi.suspend_data', 'cmi.location', 'cmi.exit']) {
      assert.ok(started.includes(key), key);
    }
    let values = await store(page);
    assert.equal(values['cmi.exit'], 'suspend');
    assert.equal(values['cmi.interactions.0.type'], 'numeric');
    assert.equal(values['cmi.interactions.1.type'], 'choice');
    assert.equal(values['cmi.interactions.2.type'], 'fill-in');

    await exam.getByTestId('answer-1').fill('42');
    await exam.getByTestId('submit-1').click();
    await exam.getByTestId('score').filter({ hasText: 'Score: 1 / 3' }).waitFor();
    const afterSubmit = setKeys((await calls(page)).slice(startCalls.length), 'SetValue');
    assert.deepEqual(afterSubmit, ['cmi.interactions.0.learner_response', 'cmi.interactions.0.result', 'cmi.objectives.0.score.raw',
      'cmi.score.raw', 'cmi.score.scaled', 'cmi.suspend_data', 'cmi.location']);

    await exam.getByTestId('next').click();
    await exam.getByTestId('answer-2-b').check();
    await exam.getByTestId('submit-2').click();
    await exam.getByTestId('next').click();
    await exam.getByTestId('answer-3').fill('Ag');
    await exam.getByTestId('submit-3').click();
    values = await store(page);
    assert.equal(values['cmi.interactions.2.result'], 'incorrect');
    assert.equal(values['cmi.location'], '3');
    assert.deepEqual(JSON.parse(values['cmi.suspend_data'] ?? ''), { answers: ['42', 'b', 'Ag'], current: 2 });

    await exam.getByTestId('end-exam').click();
    await exam.getByTestId('confirm-end').click();
    await exam.getByTestId('status').filter({ hasText: 'Exam ended. Your score: 2 / 3' }).waitFor();
    const all = await calls(page);
    assert.equal(all.some((c) => c[0] === 'Commit'), false, 'never commits');
    assert.deepEqual(all.at(-1), ['Terminate']);
    values = await store(page);
    assert.equal(values['cmi.completion_status'], 'completed');
    assert.equal(values['cmi.success_status'], 'passed');
    assert.equal(values['cmi.exit'], 'normal');
    assert.match(values['cmi.session_time'] ?? '', /^PT\d+(\.\d+)?S$/);
    await page.close();
  });

  it('SCORM 2004: resumes answers from suspend_data and the question from cmi.location', async () => {
    const { page, exam } = await open('2004', {
      'cmi.entry': 'resume',
      'cmi.suspend_data': JSON.stringify({ answers: ['41', null, null], current: 0 }),
      'cmi.location': '2',
    });
    assert.equal(await exam.getByTestId('question-2').isVisible(), true);
    assert.equal(await exam.getByTestId('question-1').isVisible(), false);
    await exam.getByTestId('prev').click();
    assert.equal(await exam.getByTestId('answer-1').inputValue(), '41');
    assert.equal(await exam.getByTestId('score').textContent(), 'Score: 0 / 3');
    // Leaving without ending: no Terminate, no Commit, as Numbas.
    await page.frames()[1]?.goto('about:blank');
    const all = await calls(page);
    assert.equal(all.some((c) => c[0] === 'Terminate' || c[0] === 'Commit'), false);
    await page.close();
  });

  it('SCORM 2004: review mode shows answers read-only and leaves the status alone', async () => {
    const { page, exam } = await open('2004', {
      'cmi.mode': 'review',
      'cmi.entry': '',
      'cmi.suspend_data': JSON.stringify({ answers: ['42', 'c', 'au'], current: 0 }),
    });
    assert.equal(await exam.getByTestId('answer-1').inputValue(), '42');
    assert.equal(await exam.getByTestId('answer-1').isDisabled(), true);
    assert.equal(await exam.getByTestId('submit-1').isDisabled(), true);
    assert.equal(await exam.getByTestId('score').textContent(), 'Score: 2 / 3');
    const keys = setKeys(await calls(page), 'SetValue');
    assert.ok(keys.length > 0, 'still sets a few values, as Numbas does');
    assert.equal(keys.includes('cmi.completion_status'), false);
    await page.close();
  });

  it('SCORM 1.2: uses the 1.2 data model and LMSFinish without LMSCommit', async () => {
    const { page, exam } = await open('1.2', { 'cmi.core.entry': 'ab-initio', 'cmi.core.lesson_mode': 'normal' });
    const startCalls = await calls(page);
    assert.deepEqual(startCalls[0], ['LMSInitialize']);
    const started = setKeys(startCalls, 'LMSSetValue');
    for (const key of ['cmi.core.lesson_status', 'cmi.core.score.min', 'cmi.core.score.max', 'cmi.objectives.0.id',
      'cmi.interactions.2.type', 'cmi.suspend_data', 'cmi.core.lesson_location', 'cmi.core.exit']) {
      assert.ok(started.includes(key), key);
    }
    assert.equal(started.some((k) => k.startsWith('cmi.completion') || k.endsWith('.description')), false, 'no 2004-only elements');
    await exam.getByTestId('answer-1').fill('7');
    await exam.getByTestId('submit-1').click();
    await exam.getByTestId('feedback-1').filter({ hasText: 'incorrect' }).waitFor();
    let values = await store(page);
    assert.equal(values['cmi.interactions.0.student_response'], '7');
    assert.equal(values['cmi.interactions.0.result'], 'wrong');
    await exam.getByTestId('end-exam').click();
    await exam.getByTestId('confirm-end').click();
    await exam.getByTestId('status').filter({ hasText: 'Exam ended. Your score: 0 / 3' }).waitFor();
    const all = await calls(page);
    assert.equal(all.some((c) => c[0] === 'LMSCommit'), false);
    assert.deepEqual(all.at(-1), ['LMSFinish']);
    values = await store(page);
    assert.equal(values['cmi.core.lesson_status'], 'failed');
    assert.equal(values['cmi.core.exit'], '');
    assert.match(values['cmi.core.session_time'] ?? '', /^\d{4}:\d{2}:\d{2}\.\d{2}$/);
    await page.close();
  });
});
