import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  OutcomeError,
  outcomeUrlFor,
  sendOutcomeRequest,
  signOutcomeRequest,
} from '../../src/lti/lti11/outcomes-client.js';
import { deleteResultRequest, readResultRequest, replaceResultRequest } from '../../src/lti/lti11/outcomes-xml.js';
import { bodyHash, parseAuthorizationHeader, urlQueryParameters, verifySignature } from '../../src/lti/oauth1/index.js';
import { type FakeLms, type FakeLmsOptions, startFakeLms } from '../helpers/fake-lms-outcomes.js';

const KEY = 'lms-key';
const SECRET = 'lms s3cret&+!';

async function withFake(fn: (fake: FakeLms) => Promise<void>, options: FakeLmsOptions = {}): Promise<void> {
  const fake = await startFakeLms(options);
  fake.addConsumer(KEY, SECRET);
  try {
    await fn(fake);
  } finally {
    await fake.close();
  }
}

interface SendOverrides {
  url?: string;
  secret?: string;
  timeoutMs?: number;
  now?: number;
  nonce?: string;
  fetchImpl?: typeof fetch;
}

function send(url: string, xml: string, o: Omit<SendOverrides, 'url'> = {}): ReturnType<typeof sendOutcomeRequest> {
  return sendOutcomeRequest({
    url,
    consumerKey: KEY,
    consumerSecret: o.secret ?? SECRET,
    xml,
    timeoutMs: o.timeoutMs ?? 5000,
    now: o.now ?? Date.now(),
    ...(o.nonce === undefined ? {} : { nonce: o.nonce }),
    ...(o.fetchImpl === undefined ? {} : { fetchImpl: o.fetchImpl }),
  });
}

/** The OutcomeError a send ends with; fails the test if it succeeds. */
async function failure(promise: Promise<unknown>): Promise<OutcomeError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof OutcomeError, `expected OutcomeError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected the send to fail');
}

describe('signOutcomeRequest', () => {
  it('signs with HMAC-SHA1 and the body hash, covering the URL query, in an OAuth header', () => {
    const url = 'https://lms.example.edu/outcomes?course=a%20b&id=7';
    const body = replaceResultRequest('s-1', 0.5, 'm-1');
    const now = 1_700_000_123_456;
    const signed = signOutcomeRequest({ url, consumerKey: KEY, consumerSecret: SECRET, body, now, nonce: 'n-1' });
    assert.equal(signed.headers['Content-Type'], 'application/xml');
    const header = new Map(parseAuthorizationHeader(signed.headers.Authorization));
    assert.equal(header.get('oauth_signature_method'), 'HMAC-SHA1');
    assert.equal(header.get('oauth_timestamp'), '1700000123');
    assert.equal(header.get('oauth_nonce'), 'n-1');
    assert.equal(header.get('oauth_body_hash'), bodyHash(body));
    assert.ok(!header.has('course'), 'query parameters travel in the URL only');
    const params = [...parseAuthorizationHeader(signed.headers.Authorization), ...urlQueryParameters(signed.url)];
    const check = (p: typeof params): string => {
      const result = verifySignature({ method: 'POST', url: signed.url, params: p, consumerSecret: SECRET, nowSeconds: 1_700_000_123 });
      return result.ok ? 'ok' : result.reason;
    };
    assert.equal(check(params), 'ok');
    assert.equal(check(parseAuthorizationHeader(signed.headers.Authorization)), 'bad_signature');
  });
});

describe('sendOutcomeRequest against the fake LMS', () => {
  it('replaces, reads and deletes a grade', () =>
    withFake(async (fake) => {
      const replaced = await send(fake.url, replaceResultRequest('ada-1', 0.85, 'm-1'));
      assert.equal(replaced.ok, true);
      assert.equal(replaced.response.codeMajor, 'success');
      assert.equal(replaced.response.operation, 'replaceResult');
      assert.equal(replaced.response.messageRefIdentifier, 'm-1');
      assert.equal(fake.grade('ada-1'), 0.85);

      const read = await send(fake.url, readResultRequest('ada-1', 'm-2'));
      assert.equal(read.response.score, 0.85);

      await send(fake.url, deleteResultRequest('ada-1', 'm-3'));
      assert.equal(fake.grade('ada-1'), undefined);
      assert.equal((await send(fake.url, readResultRequest('ada-1', 'm-4'))).response.score, null);

      const log = fake.requests();
      assert.deepEqual(
        log.map((r) => [r.operation, r.sourcedid, r.score, r.accepted, r.consumerKey]),
        [
          ['replaceResult', 'ada-1', 0.85, true, KEY],
          ['readResult', 'ada-1', null, true, KEY],
          ['deleteResult', 'ada-1', null, true, KEY],
          ['readResult', 'ada-1', null, true, KEY],
        ],
      );
    }));

  it('sends a sourcedid with XML specials intact', () =>
    withFake(async (fake) => {
      const sourcedid = `{"u":"<7>","c":"a&b"}'`;
      await send(fake.url, replaceResultRequest(sourcedid, 1, 'm'));
      assert.equal(fake.grade(sourcedid), 1);
    }));

  it('signs the query parameters of the outcome URL', () =>
    withFake(async (fake) => {
      const url = `${fake.url}?course=a%20b&id=7&tool=exam`;
      await send(url, replaceResultRequest('q-1', 0.25, 'm'));
      assert.equal(fake.grade('q-1'), 0.25);
      assert.equal(fake.requests()[0]?.path, '/outcomes?course=a%20b&id=7&tool=exam');

      // Control: a signature made without the query is refused by the LMS.
      const body = replaceResultRequest('q-2', 0.5, 'm2');
      const signed = signOutcomeRequest({ url: fake.url, consumerKey: KEY, consumerSecret: SECRET, body, now: Date.now() });
      const answer = await fetch(url, { method: 'POST', headers: signed.headers, body });
      assert.equal(answer.status, 401);
      assert.match(await answer.text(), /signature does not match/);
      assert.equal(fake.grade('q-2'), undefined);
    }));

  it('the body hash binds the body: a changed body is refused', () =>
    withFake(async (fake) => {
      const signedBody = replaceResultRequest('h-1', 0.1, 'm');
      const signed = signOutcomeRequest({ url: fake.url, consumerKey: KEY, consumerSecret: SECRET, body: signedBody, now: Date.now() });
      const answer = await fetch(signed.url, { method: 'POST', headers: signed.headers, body: replaceResultRequest('h-1', 1, 'm') });
      assert.equal(answer.status, 401);
      assert.equal(fake.requests()[0]?.detail, 'oauth_body_hash does not match the body.');
      assert.equal(fake.grade('h-1'), undefined);
    }));

  it('a wrong secret is refused with 401, not retryable', () =>
    withFake(async (fake) => {
      const error = await failure(send(fake.url, replaceResultRequest('w-1', 0.5, 'm'), { secret: 'wrong' }));
      assert.equal(error.kind, 'http');
      assert.equal(error.status, 401);
      assert.equal(error.retryable, false);
      assert.match(error.description, /OAuth signature does not match/);
      assert.match(error.description, /consumer key and secret/);
      assert.equal(fake.requests()[0]?.accepted, false);
    }));

  it('a replayed nonce is refused by the fake', () =>
    withFake(async (fake) => {
      await send(fake.url, replaceResultRequest('n-1', 0.5, 'm'), { nonce: 'same' });
      const error = await failure(send(fake.url, replaceResultRequest('n-1', 0.6, 'm'), { nonce: 'same' }));
      assert.equal(error.status, 401);
      assert.equal(fake.grade('n-1'), 0.5);
    }));

  it('classifies HTTP statuses: 5xx, 408 and 429 retryable, other 4xx not', () =>
    withFake(async (fake) => {
      const cases: Array<[number, boolean]> = [
        [500, true],
        [502, true],
        [503, true],
        [408, true],
        [429, true],
        [400, false],
        [403, false],
        [404, false],
      ];
      for (const [status, retryable] of cases) {
        fake.failNext(1, status);
        const error = await failure(send(fake.url, replaceResultRequest('f-1', 0.5, 'm')));
        assert.deepEqual([error.kind, error.status, error.retryable], ['http', status, retryable], `HTTP ${status}`);
      }
      assert.equal(fake.grade('f-1'), undefined);
      await send(fake.url, replaceResultRequest('f-1', 0.75, 'm'));
      assert.equal(fake.grade('f-1'), 0.75);
    }));

  it('an LMS that never answers is a retryable timeout', () =>
    withFake(async (fake) => {
      fake.hangNext(1);
      const error = await failure(send(fake.url, replaceResultRequest('t-1', 0.5, 'm'), { timeoutMs: 300 }));
      assert.equal(error.kind, 'timeout');
      assert.equal(error.status, null);
      assert.equal(error.retryable, true);
      await send(fake.url, replaceResultRequest('t-1', 0.5, 'm2'));
      assert.equal(fake.grade('t-1'), 0.5);
    }));

  it('an answer slower than the time limit is a timeout too', () =>
    withFake(async (fake) => {
      fake.setLatencyMs(3000);
      const error = await failure(send(fake.url, replaceResultRequest('l-1', 0.5, 'm'), { timeoutMs: 200 }));
      assert.equal(error.kind, 'timeout');
    }));

  it('a closed port is a retryable network error', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const error = await failure(send(`http://127.0.0.1:${port}/outcomes`, replaceResultRequest('x', 0.5, 'm')));
    assert.equal(error.kind, 'network');
    assert.equal(error.retryable, true);
    assert.match(error.description, /ECONNREFUSED/);
  });

  it('an imsx_codeMajor failure is rejected with the LMS description, not retryable', () =>
    withFake(async (fake) => {
      fake.rejectSourcedid('gone-1', 'The student is no longer enrolled in this course.');
      const error = await failure(send(fake.url, replaceResultRequest('gone-1', 0.5, 'm')));
      assert.equal(error.kind, 'rejected');
      assert.equal(error.status, 200);
      assert.equal(error.retryable, false);
      assert.equal(error.description, 'The student is no longer enrolled in this course.');
      assert.equal(error.response?.codeMajor, 'failure');
      assert.equal(fake.grade('gone-1'), undefined);
      assert.equal(fake.requests()[0]?.accepted, false);
    }));

  it('the fake refuses a score with an exponent, as strict gradebooks do', () =>
    withFake(async (fake) => {
      const xml = replaceResultRequest('e-1', 0.5, 'm').replace('<textString>0.5</textString>', '<textString>1e-5</textString>');
      const error = await failure(send(fake.url, xml));
      assert.equal(error.kind, 'rejected');
      assert.match(error.description, /not a decimal from 0 to 1/);
    }));

  it('failUntil follows the fake clock', () => {
    let clock = 1_800_000_000_000;
    return withFake(
      async (fake) => {
        fake.failUntil(clock + 60_000, 503);
        const error = await failure(send(fake.url, replaceResultRequest('c-1', 0.5, 'm'), { now: clock }));
        assert.deepEqual([error.status, error.retryable], [503, true]);
        clock += 60_000;
        await send(fake.url, replaceResultRequest('c-1', 0.5, 'm'), { now: clock });
        assert.equal(fake.grade('c-1'), 0.5);
        assert.deepEqual(fake.requests().map((r) => r.at), [clock - 60_000, clock]);
      },
      { now: () => clock },
    );
  });
});

describe('answers the LMS should not give', () => {
  const answering = (status: number, body: string): typeof fetch => async () => new Response(body, { status });

  it('HTML in a 200 answer is malformed (retryable)', async () => {
    const error = await failure(send('https://lms.example.edu/o', replaceResultRequest('s', 1, 'm'), { fetchImpl: answering(200, '<html><body>Login<br></body></html>') }));
    assert.deepEqual([error.kind, error.status, error.retryable], ['malformed', 200, true]);
  });

  it('codeMajor processing is rejected but retryable; unsupported is not', async () => {
    const body = (code: string): string =>
      `<imsx_POXEnvelopeResponse xmlns="http://www.imsglobal.org/services/ltiv1p1/xsd/imsoms_v1p0"><imsx_POXHeader><imsx_POXResponseHeaderInfo><imsx_statusInfo><imsx_codeMajor>${code}</imsx_codeMajor></imsx_statusInfo></imsx_POXResponseHeaderInfo></imsx_POXHeader><imsx_POXBody/></imsx_POXEnvelopeResponse>`;
    const processing = await failure(send('https://lms.example.edu/o', replaceResultRequest('s', 1, 'm'), { fetchImpl: answering(200, body('processing')) }));
    assert.deepEqual([processing.kind, processing.retryable], ['rejected', true]);
    assert.match(processing.description, /processing/);
    const unsupported = await failure(send('https://lms.example.edu/o', replaceResultRequest('s', 1, 'm'), { fetchImpl: answering(200, body('unsupported')) }));
    assert.deepEqual([unsupported.kind, unsupported.retryable], ['rejected', false]);
  });

  it('a URL that does not parse is a non-retryable error', async () => {
    const error = await failure(send('not a url', replaceResultRequest('s', 1, 'm')));
    assert.deepEqual([error.kind, error.retryable], ['network', false]);
  });
});

describe('outcomeUrlFor', () => {
  it('prefers lis_outcome_service_url, else the Blackboard-style extension URL', () => {
    const std = 'https://lms.example.edu/outcomes';
    const bb = 'https://bb.example.edu/webapps/blackboard/controller/lti/v1/outcomes';
    assert.equal(outcomeUrlFor({ outcome_service_url: std, ext_outcome_url: bb }), std);
    assert.equal(outcomeUrlFor({ outcome_service_url: null, ext_outcome_url: bb }), bb);
    assert.equal(outcomeUrlFor({ outcome_service_url: '  ', ext_outcome_url: bb }), bb);
    assert.equal(outcomeUrlFor({ outcome_service_url: 'javascript:alert(1)', ext_outcome_url: bb }), bb);
    assert.equal(outcomeUrlFor({ outcome_service_url: null, ext_outcome_url: null }), null);
    assert.equal(outcomeUrlFor({ outcome_service_url: 'file:///etc/passwd', ext_outcome_url: null }), null);
  });

  it('a grade sent to the chosen Blackboard-style URL arrives', () =>
    withFake(async (fake) => {
      const url = outcomeUrlFor({ outcome_service_url: null, ext_outcome_url: `${fake.origin}/webapps/bb-lti/outcomes?course_id=_12_1` });
      assert.ok(url !== null);
      await send(url, replaceResultRequest('bb-1', 0.4, 'm'));
      assert.equal(fake.grade('bb-1'), 0.4);
      assert.equal(fake.requests()[0]?.path, '/webapps/bb-lti/outcomes?course_id=_12_1');
    }));
});
