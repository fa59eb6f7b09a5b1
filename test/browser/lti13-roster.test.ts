/**
 * The course roster (LTI Names and Role Provisioning) on the instructor's pages in Chromium:
 * launched from the test platform's course page, the dashboard lists the active students who
 * never opened the exam, and the access-change form's roster picker (a labelled filter and one
 * labelled checkbox per student, all by keyboard) fills in the students of an access change
 * that is then saved for them.
 *
 * Needs the built app (npx vite build --config web/vite.config.ts).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { buildSamplePackage } from '../../src/scorm/sample-packages.js';
import { uploadAs } from '../helpers/launch.js';
import { type Member, ROLE } from '../helpers/test-platform/index.js';
import { type Lti13Browser, startLti13Browser } from './lti13-browser.js';

const CLIENT = 'browser-roster';
const LINK = { id: 'roster-link', title: 'Roster exam' };

function member(id: string, name: string, extra: Partial<Member> = {}): Member {
  return { user_id: id, roles: [ROLE.learner], name, email: `${id}@example.test`, status: 'Active', ...extra };
}

describe('course roster on the instructor pages in Chromium', () => {
  let b: Lti13Browser;

  before(async () => {
    // Two members a page, so the tool follows the roster's rel="next" pages.
    b = await startLti13Browser(CLIENT, { pageSize: 2 });
    b.platform.setMembers('course-1', [
      { user_id: 'instructor-1', roles: [ROLE.instructor], name: 'Iris Teacher', email: 'instructor-1@example.test', status: 'Active' },
      member('student-ada', 'Ada Opened'),
      member('student-carla', 'Carla Never'),
      member('student-dev', 'Dev Never'),
      member('student-ivy', 'Ivy Inactive', { status: 'Inactive' }),
    ]);
    const teacher = await b.launchByHttp({ sub: 'instructor-1', roles: [ROLE.instructor], resourceLink: LINK });
    const upload = await uploadAs(b.t, teacher, await buildSamplePackage('2004'));
    assert.equal(upload.statusCode, 201, upload.body);
    await b.launchByHttp({ sub: 'student-ada', resourceLink: LINK, person: { name: 'Ada Opened', email: 'student-ada@example.test' } });
  });

  after(async () => {
    await b?.close();
  });

  async function openAsInstructor() {
    const opened = await b.launchInBrowser({ sub: 'instructor-1', roles: [ROLE.instructor], resourceLink: LINK });
    await opened.tool.getByRole('tab', { name: 'Dashboard' }).waitFor({ timeout: 20_000 });
    return opened;
  }

  it('the dashboard lists the active students who never opened the exam', async () => {
    const { page, tool } = await openAsInstructor();
    const section = tool.getByRole('region', { name: 'Students who never opened the exam' });
    await section.waitFor({ timeout: 20_000 });
    const names = (await section.getByRole('listitem').allTextContents()).map((s) => s.trim());
    assert.deepEqual(names, ['Carla Never · student-carla@example.test', 'Dev Never · student-dev@example.test']);
    assert.match((await section.textContent()) ?? '', /2 of the 4 students on the course roster/);
    await page.close();
  });

  it('the access-change form picks students from the roster by keyboard and saves the change for them', async () => {
    const { page, tool } = await openAsInstructor();
    const saves: string[] = [];
    page.on('request', (r) => {
      if (r.method() === 'POST' && new URL(r.url()).pathname === '/api/resource/access-changes') saves.push(r.url());
    });
    await tool.getByRole('tab', { name: 'Dashboard' }).focus();
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    assert.equal(await tool.getByRole('tab', { name: 'Access changes' }).getAttribute('aria-selected'), 'true');

    const picker = tool.getByRole('group', { name: 'Choose students from the course roster' });
    await picker.waitFor({ timeout: 20_000 });
    assert.equal(await picker.getByRole('checkbox').count(), 4, 'every student on the roster, inactive ones too');
    await tool.getByLabel('Description', { exact: true }).fill('Extra attempt for the latecomers');

    // Filter, then tick by keyboard: Tab from the filter reaches the first student shown.
    const filter = picker.getByLabel('Filter the roster');
    await filter.focus();
    await page.keyboard.type('never');
    await picker.getByText('2 of 4 students match.').waitFor();
    // Enter in the filter does not submit the access change around the picker (counted below).
    await page.keyboard.press('Enter');
    await page.keyboard.press('Tab');
    const carla = picker.getByRole('checkbox', { name: /Carla Never/ });
    assert.equal(await carla.evaluate((el) => el === document.activeElement), true);
    await page.keyboard.press('Space');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Space');
    assert.equal(await carla.isChecked(), true);
    assert.equal(await picker.getByRole('checkbox', { name: /Dev Never/ }).isChecked(), true);
    await page.keyboard.press('Tab');
    const add = picker.getByRole('button', { name: 'Add the chosen students' });
    assert.equal(await add.evaluate((el) => el === document.activeElement), true);
    await page.keyboard.press('Enter');
    await picker.getByText('Added 2 students to Students.').waitFor();
    const students = tool.getByLabel('Students', { exact: true });
    assert.equal(await students.inputValue(), 'student-carla@example.test\nstudent-dev@example.test');

    // Picking one of them again adds no second line.
    await filter.fill('carla');
    await carla.check();
    await add.click();
    assert.equal(await students.inputValue(), 'student-carla@example.test\nstudent-dev@example.test');

    await tool.getByLabel('Maximum attempts', { exact: true }).fill('3');
    await tool.getByRole('button', { name: 'Add access change' }).click();
    await tool.getByTestId('access-changes-status').filter({ hasText: 'Access change added.' }).waitFor({ timeout: 20_000 });
    assert.equal(saves.length, 1, 'only the button saved; Enter in the filter did not');

    const change = await b.t.store.db.selectFrom('access_changes').select(['id', 'description', 'max_attempts']).executeTakeFirstOrThrow();
    assert.deepEqual([change.description, change.max_attempts], ['Extra attempt for the latecomers', 3]);
    const targets = await b.t.store.db.selectFrom('access_change_targets').select(['kind', 'value']).where('access_change_id', '=', change.id).orderBy('value').execute();
    assert.deepEqual(
      targets.map((t) => [t.kind, t.value]),
      [
        ['email', 'student-carla@example.test'],
        ['email', 'student-dev@example.test'],
      ],
    );
    await page.close();
  });
});
