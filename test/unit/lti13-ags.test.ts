import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  AgsError,
  createLineItem,
  findLineItem,
  getLineItem,
  lineItemSubUrl,
  listLineItems,
  postScore,
  readResults,
  scoreBody,
} from '../../src/lti/lti13/ags.js';
import { type RecordedRequest, type Reply, startRecordingServer, withRecordingServer } from '../helpers/recording-server.js';

const call = { accessToken: 'tok-ags', timeoutMs: 5000 };

async function failure(promise: Promise<unknown>): Promise<AgsError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof AgsError, `expected AgsError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected the call to fail');
}

function lineItemsPages(req: RecordedRequest, base: string): Reply {
  const url = new URL(req.url, base);
  const page = url.searchParams.get('page') ?? '1';
  const item = (n: number, resourceId: string, tag = 'grade'): object => ({
    id: `${base}/ctx/1/lineitems/${n}/lineitem?type_id=2`,
    scoreMaximum: 10,
    label: `Exam ${n}`,
    resourceId,
    tag,
  });
  if (page === '1') {
    // A relative next link (resolved against this page) among other relations.
    return {
      body: [item(1, 'r-1'), item(2, 'r-2')],
      headers: { Link: `<${base}/ctx/1/lineitems?page=1>; rel="first", </ctx/1/lineitems?page=2&resource_id=r-2>; rel="next"` },
    };
  }
  if (page === '2') {
    return { body: [item(3, 'r-2', 'other'), { label: 'no id' }], headers: { Link: `<${base}/ctx/1/lineitems?page=3>; rel=next` } };
  }
  return { body: [item(4, 'r-2')] };
}

describe('AGS line items', () => {
  it('lists every page following Link rel="next", with the filters and media type', async () => {
    await withRecordingServer(lineItemsPages, async (server) => {
      const items = await listLineItems(`${server.url}/ctx/1/lineitems`, { resourceId: 'r-2', tag: 'grade', limit: 2 }, call);
      assert.deepEqual(
        items.map((i) => i.label),
        ['Exam 1', 'Exam 2', 'Exam 3', 'Exam 4'],
      );
      assert.equal(server.requests.length, 3);
      const first = new URL(server.requests[0]?.url ?? '', server.url);
      assert.equal(first.searchParams.get('resource_id'), 'r-2');
      assert.equal(first.searchParams.get('tag'), 'grade');
      assert.equal(first.searchParams.get('limit'), '2');
      assert.equal(server.requests[1]?.url, '/ctx/1/lineitems?page=2&resource_id=r-2');
      for (const req of server.requests) {
        assert.equal(req.method, 'GET');
        assert.equal(req.headers.authorization, 'Bearer tok-ags');
        assert.equal(req.headers.accept, 'application/vnd.ims.lis.v2.lineitemcontainer+json');
      }
    });
  });

  it('finds the line item by resourceId and tag even when the platform ignores the filter', async () => {
    await withRecordingServer(lineItemsPages, async (server) => {
      const found = await findLineItem(`${server.url}/ctx/1/lineitems`, { resourceId: 'r-2', tag: 'other' }, call);
      assert.equal(found?.label, 'Exam 3');
      const none = await findLineItem(`${server.url}/ctx/1/lineitems`, { resourceId: 'r-9' }, call);
      assert.equal(none, null);
    });
  });

  it('stops on a next link that loops back', async () => {
    await withRecordingServer(
      (_req, base) => ({ body: [], headers: { Link: `<${base}/lineitems>; rel="next"` } }),
      async (server) => {
        const error = await failure(listLineItems(`${server.url}/lineitems`, {}, call));
        assert.match(error.description, /already read/);
      },
    );
  });

  it('creates a line item with the line item media type and reads the answer', async () => {
    await withRecordingServer(
      (req, base) => ({ status: 201, body: { ...(JSON.parse(req.body) as object), id: `${base}/ctx/1/lineitems/9` } }),
      async (server) => {
        const created = await createLineItem(
          `${server.url}/ctx/1/lineitems`,
          { label: 'Final exam', scoreMaximum: 20, resourceId: 'res-5', tag: 'exam' },
          call,
        );
        assert.equal(created.id, `${server.url}/ctx/1/lineitems/9`);
        assert.equal(created.resourceId, 'res-5');
        const [req] = server.requests;
        assert.equal(req?.method, 'POST');
        assert.equal(req?.headers['content-type'], 'application/vnd.ims.lis.v2.lineitem+json');
        assert.deepEqual(JSON.parse(req?.body ?? ''), { label: 'Final exam', scoreMaximum: 20, resourceId: 'res-5', tag: 'exam' });
        await failure(createLineItem(`${server.url}/ctx/1/lineitems`, { label: 'x', scoreMaximum: 0 }, call));
        assert.equal(server.requests.length, 1, 'an invalid line item is not sent');
      },
    );
  });

  it('gets one line item', async () => {
    await withRecordingServer(
      (req, base) => ({ body: { id: `${base}${req.url}`, label: 'L', scoreMaximum: 5 } }),
      async (server) => {
        const item = await getLineItem(`${server.url}/ctx/1/lineitems/3`, call);
        assert.equal(item.scoreMaximum, 5);
        assert.equal(server.requests[0]?.headers.accept, 'application/vnd.ims.lis.v2.lineitem+json');
      },
    );
  });
});

describe('AGS scores', () => {
  it('posts to <lineitem>/scores keeping the query string, with the score media type', async () => {
    await withRecordingServer(
      () => ({ status: 204 }),
      async (server) => {
        const result = await postScore(
          `${server.url}/ctx/1/lineitems/7/lineitem?type_id=2`,
          {
            userId: 'user-1',
            scoreGiven: 7.5,
            scoreMaximum: 10,
            timestamp: Date.UTC(2026, 10, 24, 5, 30, 0, 0),
            activityProgress: 'Completed',
            gradingProgress: 'FullyGraded',
            comment: 'Well done',
          },
          call,
        );
        assert.equal(result.status, 204);
        const [req] = server.requests;
        assert.equal(req?.method, 'POST');
        assert.equal(req?.url, '/ctx/1/lineitems/7/lineitem/scores?type_id=2');
        assert.equal(req?.headers['content-type'], 'application/vnd.ims.lis.v1.score+json');
        assert.equal(req?.headers.authorization, 'Bearer tok-ags');
        assert.deepEqual(JSON.parse(req?.body ?? ''), {
          userId: 'user-1',
          scoreGiven: 7.5,
          scoreMaximum: 10,
          timestamp: '2026-11-24T05:30:00.000Z',
          activityProgress: 'Completed',
          gradingProgress: 'FullyGraded',
          comment: 'Well done',
        });
      },
    );
  });

  it('builds sub-URLs before the query and without doubling a trailing slash', () => {
    assert.equal(lineItemSubUrl('https://lms.example/li/7/?a=1&b=2', 'scores'), 'https://lms.example/li/7/scores?a=1&b=2');
    assert.equal(lineItemSubUrl('https://lms.example/li/7', 'results'), 'https://lms.example/li/7/results');
  });

  it('leaves scoreGiven out of a Started score and refuses inconsistent scores', () => {
    const started = scoreBody({ userId: 'u', timestamp: 0, activityProgress: 'Started', gradingProgress: 'NotReady' });
    assert.deepEqual(started, { userId: 'u', timestamp: '1970-01-01T00:00:00.000Z', activityProgress: 'Started', gradingProgress: 'NotReady' });
    assert.throws(
      () => scoreBody({ userId: 'u', scoreGiven: 1, timestamp: 0, activityProgress: 'Completed', gradingProgress: 'FullyGraded' }),
      (e: unknown) => e instanceof AgsError && e.kind === 'invalid' && !e.retryable,
    );
    assert.throws(() =>
      scoreBody({ userId: 'u', scoreGiven: -1, scoreMaximum: 1, timestamp: 0, activityProgress: 'Completed', gradingProgress: 'FullyGraded' }),
    );
  });

  it('classes failures: 5xx and 429 are retryable, other 4xx are not, silence is retryable', async () => {
    let reply: Reply | 'hang' = { status: 503, body: 'maintenance' };
    await withRecordingServer(
      () => reply,
      async (server) => {
        const score = { userId: 'u', timestamp: 0, activityProgress: 'Submitted', gradingProgress: 'PendingManual' } as const;
        const url = `${server.url}/li/1`;
        const down = await failure(postScore(url, score, call));
        assert.equal(down.kind, 'http');
        assert.equal(down.status, 503);
        assert.equal(down.retryable, true);
        assert.match(down.description, /503: maintenance/);

        reply = { status: 429, headers: { 'Retry-After': '12' } };
        const limited = await failure(postScore(url, score, call));
        assert.equal(limited.retryable, true);
        assert.equal(limited.retryAfterSeconds, 12);

        for (const status of [400, 403, 404]) {
          reply = { status, body: { error: 'nope' } };
          const refused = await failure(postScore(url, score, call));
          assert.equal(refused.status, status);
          assert.equal(refused.retryable, false, `HTTP ${status} is final`);
        }

        reply = { status: 302, headers: { Location: 'https://elsewhere.example/' } };
        const moved = await failure(postScore(url, score, call));
        assert.match(moved.description, /redirect to https:\/\/elsewhere\.example\//);

        reply = 'hang';
        const silent = await failure(postScore(url, score, { ...call, timeoutMs: 200 }));
        assert.equal(silent.kind, 'timeout');
        assert.equal(silent.retryable, true);
      },
    );
  });

  it('classes an unreachable platform as retryable and a bad URL as final', async () => {
    const score = { userId: 'u', timestamp: 0, activityProgress: 'Started', gradingProgress: 'NotReady' } as const;
    const server = await startRecordingServer(() => ({}));
    await server.close(); // Its port now refuses connections.
    const unreachable = await failure(postScore(`${server.url}/li/1`, score, call));
    assert.equal(unreachable.kind, 'network');
    assert.equal(unreachable.retryable, true);
    const bad = await failure(postScore('not a url', score, call));
    assert.equal(bad.kind, 'invalid');
    assert.equal(bad.retryable, false);
  });
});

describe('AGS results', () => {
  it('reads results for a user from <lineitem>/results, following pages', async () => {
    await withRecordingServer(
      (req, base) => {
        const url = new URL(req.url, base);
        if (url.searchParams.get('p') === '2') return { body: [{ userId: 'u2', resultScore: 3 }] };
        return {
          body: [{ id: 'r1', userId: 'u1', resultScore: 8, resultMaximum: 10, comment: 'ok', scoreOf: 'li' }, { resultScore: 1 }],
          headers: { Link: `<${base}/li/7/results?p=2>; rel="next"` },
        };
      },
      async (server) => {
        const results = await readResults(`${server.url}/li/7?x=1`, { userId: 'u1' }, call);
        assert.deepEqual(results, [
          { id: 'r1', userId: 'u1', resultScore: 8, resultMaximum: 10, comment: 'ok', scoreOf: 'li' },
          { id: null, userId: 'u2', resultScore: 3, resultMaximum: 1, comment: null, scoreOf: null },
        ]);
        const first = new URL(server.requests[0]?.url ?? '', server.url);
        assert.equal(first.pathname, '/li/7/results');
        assert.equal(first.searchParams.get('x'), '1');
        assert.equal(first.searchParams.get('user_id'), 'u1');
        assert.equal(server.requests[0]?.headers.accept, 'application/vnd.ims.lis.v2.resultcontainer+json');
      },
    );
  });

  it('refuses a results answer that is not a list', async () => {
    await withRecordingServer(
      () => ({ body: { not: 'a list' } }),
      async (server) => {
        const error = await failure(readResults(`${server.url}/li/7`, {}, call));
        assert.equal(error.kind, 'malformed');
      },
    );
  });
});
