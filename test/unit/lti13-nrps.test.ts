import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { NrpsError, parseMember, readMemberships } from '../../src/lti/lti13/nrps.js';
import { type RecordedRequest, type Reply, withRecordingServer } from '../helpers/recording-server.js';

const call = { accessToken: 'tok-nrps', timeoutMs: 5000 };
const LEARNER = 'http://purl.imsglobal.org/vocab/lis/v2/membership#Learner';
const INSTRUCTOR = 'http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor';

function rosterPages(req: RecordedRequest, base: string): Reply {
  const url = new URL(req.url, base);
  const context = { id: 'ctx-1', label: 'MATH1', title: 'Mathematics 1' };
  if (url.searchParams.get('page') === '2') {
    return {
      body: {
        id: `${base}/memberships`,
        context,
        members: [
          { user_id: 'u-2', roles: [LEARNER], status: 'Active', name: 'Bea Duplicate' },
          { user_id: 'u-3', roles: [LEARNER], status: 'Inactive', lti11_legacy_user_id: 'legacy-3' },
          { roles: [LEARNER], name: 'No id' },
        ],
      },
    };
  }
  return {
    body: {
      id: `${base}/memberships`,
      context,
      members: [
        {
          user_id: 'u-1',
          roles: [INSTRUCTOR],
          name: 'Ada Lovelace',
          given_name: 'Ada',
          family_name: 'Lovelace',
          email: 'ada@example.edu',
          lis_person_sourcedid: 'sis-1',
        },
        { user_id: 'u-2', roles: [LEARNER, 42], name: 'Bea' },
      ],
    },
    headers: { Link: `<${base}/memberships?page=2&role=Learner>; rel="next", <${base}/memberships?since=1>; rel="differences"` },
  };
}

describe('NRPS memberships', () => {
  it('reads every page following Link rel="next" and maps the members', async () => {
    await withRecordingServer(rosterPages, async (server) => {
      const roster = await readMemberships(`${server.url}/memberships?context=abc`, { role: 'Learner', limit: 50 }, call);
      assert.deepEqual(roster.context, { id: 'ctx-1', label: 'MATH1', title: 'Mathematics 1' });
      assert.deepEqual(roster.members, [
        {
          userId: 'u-1',
          roles: [INSTRUCTOR],
          name: 'Ada Lovelace',
          givenName: 'Ada',
          familyName: 'Lovelace',
          email: 'ada@example.edu',
          status: 'Active',
          lti11LegacyUserId: null,
        },
        { userId: 'u-2', roles: [LEARNER], name: 'Bea', givenName: null, familyName: null, email: null, status: 'Active', lti11LegacyUserId: null },
        {
          userId: 'u-3',
          roles: [LEARNER],
          name: null,
          givenName: null,
          familyName: null,
          email: null,
          status: 'Inactive',
          lti11LegacyUserId: 'legacy-3',
        },
      ]);
      assert.equal(server.requests.length, 2);
      const first = new URL(server.requests[0]?.url ?? '', server.url);
      assert.equal(first.searchParams.get('context'), 'abc', 'the URL query from the claim is kept');
      assert.equal(first.searchParams.get('role'), 'Learner');
      assert.equal(first.searchParams.get('limit'), '50');
      assert.equal(server.requests[1]?.url, '/memberships?page=2&role=Learner');
      for (const req of server.requests) {
        assert.equal(req.headers.accept, 'application/vnd.ims.lti-nrps.v2.membershipcontainer+json');
        assert.equal(req.headers.authorization, 'Bearer tok-nrps');
      }
    });
  });

  it('classes failures: 5xx retryable, 403 final, a page without members malformed', async () => {
    let reply: Reply = { status: 502 };
    await withRecordingServer(
      () => reply,
      async (server) => {
        const url = `${server.url}/memberships`;
        const down = await readMemberships(url, {}, call).catch((e: unknown) => e);
        assert.ok(down instanceof NrpsError);
        assert.equal(down.retryable, true);
        reply = { status: 403, body: { error: 'scope not granted' } };
        const refused = await readMemberships(url, {}, call).catch((e: unknown) => e);
        assert.ok(refused instanceof NrpsError);
        assert.equal(refused.retryable, false);
        reply = { body: { id: 'x' } };
        const odd = await readMemberships(url, {}, call).catch((e: unknown) => e);
        assert.ok(odd instanceof NrpsError);
        assert.equal(odd.kind, 'malformed');
      },
    );
  });

  it('maps Deleted status and drops members without a user id', () => {
    assert.equal(parseMember({ user_id: 'x', status: 'Deleted' })?.status, 'Deleted');
    assert.equal(parseMember({ user_id: 'x', status: 'Weird' })?.status, 'Active');
    assert.equal(parseMember({ name: 'nobody' }), null);
  });
});
