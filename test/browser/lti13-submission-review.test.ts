/**
 * Submission review in Chromium: a student takes the sample exam; then the instructor opens
 * the gradebook's LtiSubmissionReviewRequest for that student (for_user) from the test
 * platform's course page, and the tool opens the student's attempt straight away in review
 * mode, with the student's answers shown read-only. Looking saves nothing.
 *
 * Needs the built app (npx vite build --config web/vite.config.ts).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { buildSamplePackage } from '../../src/scorm/sample-packages.js';
import { readValues } from '../../src/store/repositories/attempt-data.js';
import { uploadAs } from '../helpers/launch.js';
import { ROLE } from '../helpers/test-platform/index.js';
import { type Lti13Browser, startLti13Browser } from './lti13-browser.js';
import { readHistory } from '../../src/store/repositories/attempt-history.js';
import { waitForText } from './wait-for-text.js';

const CLIENT = 'browser-review';
const LINK = { id: 'review-link', title: 'Review exam' };
const STUDENT = 'student-rosa';
/** The LMS frame loads the tool, which loads the exam: give each step more time than the player tests do. */
const WAIT_MS = 20_000;

describe('submission review in Chromium', () => {
  let b: Lti13Browser;
  let attemptId = 0;

  before(async () => {
    b = await startLti13Browser(CLIENT);
    // A review request names the gradebook column of the submission.
    b.platform.createLineItem('course-1', { label: 'Review exam', scoreMaximum: 100, resourceLinkId: LINK.id });
    const teacher = await b.launchByHttp({ sub: 'instructor-1', roles: [ROLE.instructor], resourceLink: LINK });
    const upload = await uploadAs(b.t, teacher, await buildSamplePackage('2004'));
    assert.equal(upload.statusCode, 201, upload.body);

    // The student answers the first question in the browser and ends the exam.
    const token = await b.launchByHttp({ sub: STUDENT, resourceLink: LINK, person: { name: 'Rosa Student' } });
    const page = await b.session.context.newPage();
    await page.goto(`${b.toolOrigin}/app/#token=${encodeURIComponent(token)}`);
    const exam = page.frameLocator('[data-testid=exam-frame]');
    await exam.getByTestId('answer-1').fill('42', { timeout: 20_000 });
    await exam.getByTestId('submit-1').click();
    await exam.getByTestId('score').filter({ hasText: 'Score: 1 / 3' }).waitFor();
    await exam.getByTestId('end-exam').click();
    await exam.getByTestId('confirm-end').click();
    await waitForText(page.getByTestId('end-status'), 'Your exam has ended and every answer is saved.', WAIT_MS);
    await page.close();
    const attempt = await b.t.store.db.selectFrom('attempts').select(['id', 'ended_at']).executeTakeFirstOrThrow();
    assert.notEqual(attempt.ended_at, null);
    attemptId = attempt.id;
  });

  after(async () => {
    await b?.close();
  });

  async function stored() {
    const values = Object.fromEntries((await readValues(b.t.store.db, attemptId)).map((r) => [r.key, r.value]));
    const history = (await readHistory(b.t.store.db, attemptId)).length;
    const attempts = await b.t.store.db.selectFrom('attempts').selectAll().orderBy('id').execute();
    return { values, history, attempts };
  }

  it("opens the for_user student's attempt in review mode for the instructor, and saves nothing", async () => {
    const before = await stored();
    assert.equal(before.values['cmi.interactions.0.learner_response'], '42');

    const { page, tool } = await b.launchInBrowser({
      kind: 'submission_review',
      sub: 'instructor-1',
      roles: [ROLE.instructor],
      resourceLink: LINK,
      forUser: { user_id: STUDENT, roles: [ROLE.learner] },
    });
    const exam = tool.frameLocator('[data-testid=exam-frame]');
    await waitForText(exam.getByTestId('status'), 'Review: your answers are shown read-only.', WAIT_MS);
    await waitForText(tool.getByTestId('save-status'), /^Review/, WAIT_MS);
    assert.equal(await exam.getByTestId('answer-1').inputValue(), '42', "the student's answer is shown");
    await waitForText(exam.getByTestId('score'), 'Score: 1 / 3', WAIT_MS);
    assert.match((await tool.locator('title').textContent()) ?? '', /^Review · /, 'the page says it is a review');

    // Closing the review leaves the attempt as the student left it.
    await tool.getByRole('button', { name: 'Close' }).click();
    await tool.getByTestId('review-reopen').waitFor({ timeout: 20_000 });
    assert.deepEqual(await stored(), before, 'the review stored nothing');
    await page.close();
  });
});
