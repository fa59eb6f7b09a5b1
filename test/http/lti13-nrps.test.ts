import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildSamplePackage } from '../../src/scorm/sample-packages.js';
import { bearer, uploadAs } from '../helpers/launch.js';
import { launchToken, startPlatformFor } from '../helpers/lti13-tool-flow.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';
import { type LaunchInput, type Member, ROLE, SCOPE, type TestPlatform } from '../helpers/test-platform/index.js';
import { databaseKinds } from '../helpers/test-store.js';

const CLIENT = 'roster-client';

interface RosterRow {
  ltiUserId: string;
  name: string | null;
  email: string | null;
  userId: number | null;
  launched: boolean;
  status: string;
}
type Roster = { available: true; students: RosterRow[]; neverLaunched: RosterRow[] } | { available: false; reason: string; students: []; neverLaunched: [] };

function member(id: string, role: string, extra: Partial<Member> = {}): Member {
  return { user_id: id, roles: [role], name: `Person ${id}`, email: `${id}@example.test`, status: 'Active', ...extra };
}

for (const kind of databaseKinds()) {
  describe(`LTI 1.3 names and roles (${kind})`, () => {
    let t: TestApp;
    let platform: TestPlatform;
    let teacher: string;

    before(async () => {
      t = await createTestApp(kind);
      // Two members a page: the roster of seven takes four pages.
      platform = await startPlatformFor(t, CLIENT, { pageSize: 2 });
      platform.setMembers('course-1', [
        member('instructor-1', ROLE.instructor),
        member('student-1', ROLE.learner),
        member('student-2', ROLE.learner),
        member('student-3', ROLE.learner, { name: 'Carla Never' }),
        member('student-4', `${ROLE.learner}`, { status: 'Inactive' }),
        member('student-5', 'Learner'),
        member('student-6', ROLE.learner, { status: 'Deleted' }),
      ]);
      teacher = await launch({ sub: 'instructor-1', roles: [ROLE.instructor] });
      const upload = await uploadAs(t, teacher, await buildSamplePackage('2004'));
      assert.equal(upload.statusCode, 201, upload.body);
      await launch({ sub: 'student-1' });
      await launch({ sub: 'student-2' });
    });
    after(async () => {
      await platform.close();
      await t.close();
    });

    async function launch(input: LaunchInput): Promise<string> {
      // The platform signs with the wall clock: the tool's clock must agree.
      t.clock.now = Date.now();
      return launchToken(t, platform, CLIENT, { resourceLink: { id: 'link-1', title: 'Exam' }, ...input });
    }

    async function roster(token: string): Promise<{ status: number; body: Roster }> {
      t.clock.now = Date.now();
      const res = await t.app.inject({ method: 'GET', url: '/api/resource/roster', headers: bearer(token) });
      return { status: res.statusCode, body: res.json() as Roster };
    }

    it('reads every page of the roster and lists the students who never launched', async () => {
      const before = platform.serviceRequests().filter((r) => r.path.includes('/memberships')).length;
      const { status, body } = await roster(teacher);
      assert.equal(status, 200);
      assert.ok(body.available, JSON.stringify(body));
      const pages = platform.serviceRequests().filter((r) => r.path.includes('/memberships')).length - before;
      assert.equal(pages, 4);
      // Instructors and deleted members are not students.
      assert.deepEqual(body.students.map((s) => s.ltiUserId).sort(), ['student-1', 'student-2', 'student-3', 'student-4', 'student-5']);
      const one = body.students.find((s) => s.ltiUserId === 'student-1');
      assert.equal(one?.launched, true);
      assert.equal(typeof one?.userId, 'number');
      // Inactive members are on the roster but not chased as "never launched".
      assert.deepEqual(body.neverLaunched.map((s) => s.ltiUserId).sort(), ['student-3', 'student-5']);
      const carla = body.neverLaunched.find((s) => s.ltiUserId === 'student-3');
      assert.deepEqual(carla && [carla.name, carla.email, carla.userId], ['Carla Never', 'student-3@example.test', null]);
      // The token was asked for with the roster scope and verified by the platform against our JWKS.
      const tokenRequest = platform.tokenRequests().at(-1);
      assert.deepEqual(tokenRequest?.grantedScopes, [SCOPE.memberships]);
    });

    it('degrades with a reason when the platform fails, and recovers', async () => {
      platform.failNext(1, 500);
      const failed = await roster(teacher);
      assert.equal(failed.status, 200);
      assert.equal(failed.body.available, false);
      assert.match((failed.body as { reason: string }).reason, /roster could not be read/);
      const again = await roster(teacher);
      assert.equal(again.body.available, true);
    });

    it('says the roster is unavailable when the course never offered the service', async () => {
      const token = await launch({ sub: 'instructor-1', roles: [ROLE.instructor], context: { id: 'course-no-nrps', title: 'No roster' }, nrps: false, resourceLink: { id: 'link-9' } });
      const upload = await uploadAs(t, token, await buildSamplePackage('2004'));
      assert.equal(upload.statusCode, 201);
      const { status, body } = await roster(token);
      assert.equal(status, 200);
      assert.equal(body.available, false);
      assert.match((body as { reason: string }).reason, /names and roles service/);
    });

    it('is for instructors only', async () => {
      const student = await launch({ sub: 'student-1' });
      const { status } = await roster(student);
      assert.equal(status, 403);
    });
  });
}
