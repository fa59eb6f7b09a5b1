import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import OAuth from 'oauth-1.0a';
import {
  authorizationHeader,
  baseStringUri,
  bodyHash,
  hmacSha1,
  normalizeParameters,
  parseAuthorizationHeader,
  percentEncode,
  signParameters,
  signatureBaseString,
  urlQueryParameters,
  verifySignature,
  type OAuthCheck,
} from '../../src/lti/oauth1/index.js';

type Pair = [string, string];

const URL_ = 'https://tool.example.org/lti/launch';
const KEY = 'moodle-key';
const SECRET = 's3cr3t&with=odd chars+!';
const NOW = 1_700_000_000;

/** An LTI-style launch form with the characters that usually break hand-rolled signers. */
const LAUNCH: Pair[] = [
  ['lti_message_type', 'basic-lti-launch-request'],
  ['lti_version', 'LTI-1p0'],
  ['resource_link_id', '429785226'],
  ['resource_link_title', 'Week 3 exam: sets & functions (a+b=c)'],
  ['lis_person_name_full', 'Zoë Ünal-O\'Brien'],
  ['context_title', 'Maths ☃ 101'],
  ['roles', 'Learner,urn:lti:instrole:ims/lis/Student'],
  ['custom_expr', "x*y!=~z"],
  ['launch_presentation_return_url', 'https://lms.example.edu/return?a=1&b=two words'],
  ['empty_value', ''],
];

function sign(extra: Partial<Parameters<typeof signParameters>[0]> = {}): Pair[] {
  return signParameters({
    method: 'POST',
    url: URL_,
    params: LAUNCH,
    consumerKey: KEY,
    consumerSecret: SECRET,
    timestamp: NOW,
    ...extra,
  });
}

function verify(params: ReadonlyArray<readonly [string, string]>, extra: Partial<Parameters<typeof verifySignature>[0]> = {}): OAuthCheck {
  return verifySignature({ method: 'POST', url: URL_, params, consumerSecret: SECRET, nowSeconds: NOW, ...extra });
}

function reasonOf(check: OAuthCheck): string {
  return check.ok ? 'ok' : check.reason;
}

/** Changes exactly one character, keeping digits digits so timestamps stay parseable. */
function mutate(value: string): string {
  if (value === '') return 'x';
  const last = value.charAt(value.length - 1);
  const replacement = /\d/.test(last) ? String((Number(last) + 1) % 10) : last === 'x' ? 'y' : 'x';
  return value.slice(0, -1) + replacement;
}

/** The oauth-1.0a library as an independent signer, HMAC-SHA1 via node crypto. */
function librarySigner(nonce?: string, timestamp?: number): OAuth {
  const oauth = new OAuth({
    consumer: { key: KEY, secret: SECRET },
    signature_method: 'HMAC-SHA1',
    hash_function: (base, key) => createHmac('sha1', key).update(base).digest('base64'),
  });
  if (nonce !== undefined) oauth.getNonce = () => nonce;
  if (timestamp !== undefined) oauth.getTimeStamp = () => timestamp;
  return oauth;
}

/** Only the protocol parameters: the library merges the form into its result object. */
function oauthPairs(data: object): Pair[] {
  return Object.entries(data)
    .filter(([name]) => name.startsWith('oauth_'))
    .map(([name, value]): Pair => [name, String(value)]);
}

describe('percentEncode', () => {
  it('encodes the characters encodeURIComponent leaves bare', () => {
    assert.equal(percentEncode("!*'()"), '%21%2A%27%28%29');
  });
  it('encodes space and plus, keeps the unreserved set', () => {
    assert.equal(percentEncode(' '), '%20');
    assert.equal(percentEncode('+'), '%2B');
    assert.equal(percentEncode('~'), '~');
    assert.equal(percentEncode('AZaz09-._~'), 'AZaz09-._~');
    assert.equal(percentEncode('a=b&c/d?e#f%'), 'a%3Db%26c%2Fd%3Fe%23f%25');
  });
  it('encodes non-ASCII as UTF-8 with uppercase hex', () => {
    assert.equal(percentEncode('é'), '%C3%A9');
    assert.equal(percentEncode('☃'), '%E2%98%83');
    assert.equal(percentEncode('😀'), '%F0%9F%98%80');
  });
  it('leaves the empty string empty', () => {
    assert.equal(percentEncode(''), '');
  });
});

describe('baseStringUri', () => {
  it('lowercases scheme and host, drops :80, the query and the fragment', () => {
    assert.equal(baseStringUri('HTTP://Example.COM:80/r%20v/X?id=123'), 'http://example.com/r%20v/X');
    assert.equal(baseStringUri('http://example.com/a#frag'), 'http://example.com/a');
  });
  it('keeps a non-default port and an explicit root path', () => {
    assert.equal(baseStringUri('https://www.example.net:8080/?q=1'), 'https://www.example.net:8080/');
    assert.equal(baseStringUri('https://example.net:80/x'), 'https://example.net:80/x');
  });
  it('drops :443 for https and turns an empty path into /', () => {
    assert.equal(baseStringUri('https://Example.net:443/launch'), 'https://example.net/launch');
    assert.equal(baseStringUri('https://example.net'), 'https://example.net/');
    assert.equal(baseStringUri('https://example.net?x=1'), 'https://example.net/');
  });
});

describe('RFC 5849 §3.4.1 worked example', () => {
  const url = 'http://example.com/request?b5=%3D%253D&a3=a&c%40=&a2=r%20b';
  const header =
    'OAuth realm="Example",\r\n' +
    '               oauth_consumer_key="9djdj82h48djs9d2",\r\n' +
    '               oauth_token="kkk9d7dh3k39sjv7",\r\n' +
    '               oauth_signature_method="HMAC-SHA1",\r\n' +
    '               oauth_timestamp="137131201",\r\n' +
    '               oauth_nonce="7d8f3e4a",\r\n' +
    '               oauth_signature="bYT5CMsGcbgUdFHObYMEfcx6bsw%3D"';
  const params = [...urlQueryParameters(url), ...new URLSearchParams('c2&a3=2+q'), ...parseAuthorizationHeader(header)];

  it('normalizes the parameters exactly as the RFC text', () => {
    assert.equal(
      normalizeParameters(params),
      'a2=r%20b&a3=2%20q&a3=a&b5=%3D%253D&c%40=&c2=&oauth_consumer_key=9djdj82h48djs9d2&oauth_nonce=7d8f3e4a' +
        '&oauth_signature_method=HMAC-SHA1&oauth_timestamp=137131201&oauth_token=kkk9d7dh3k39sjv7',
    );
  });
  it('builds the base string exactly as the RFC text', () => {
    assert.equal(
      signatureBaseString('post', url, params),
      'POST&http%3A%2F%2Fexample.com%2Frequest&a2%3Dr%2520b%26a3%3D2%2520q' +
        '%26a3%3Da%26b5%3D%253D%25253D%26c%2540%3D%26c2%3D%26oauth_consumer_' +
        'key%3D9djdj82h48djs9d2%26oauth_nonce%3D7d8f3e4a%26oauth_signature_m' +
        'ethod%3DHMAC-SHA1%26oauth_timestamp%3D137131201%26oauth_token%3Dkkk' +
        '9d7dh3k39sjv7',
    );
  });
  it('parses the header without realm and with the signature decoded', () => {
    const fromHeader = parseAuthorizationHeader(header);
    assert.equal(fromHeader.length, 6);
    assert.ok(!fromHeader.some(([name]) => name === 'realm'));
    assert.deepEqual(fromHeader.at(-1), ['oauth_signature', 'bYT5CMsGcbgUdFHObYMEfcx6bsw=']);
  });
});

describe('hmacSha1 and bodyHash', () => {
  it('matches the OAuth Core 1.0 appendix A.5 signature', () => {
    const base =
      'GET&http%3A%2F%2Fphotos.example.net%2Fphotos&file%3Dvacation.jpg%26oauth_consumer_key%3Ddpf43f3p2l4k3l03' +
      '%26oauth_nonce%3Dkllo9940pd9333jh%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D1191242096' +
      '%26oauth_token%3Dnnch734d00sl2jdk%26oauth_version%3D1.0%26size%3Doriginal';
    const params: Pair[] = [
      ['file', 'vacation.jpg'],
      ['size', 'original'],
      ['oauth_consumer_key', 'dpf43f3p2l4k3l03'],
      ['oauth_token', 'nnch734d00sl2jdk'],
      ['oauth_signature_method', 'HMAC-SHA1'],
      ['oauth_timestamp', '1191242096'],
      ['oauth_nonce', 'kllo9940pd9333jh'],
      ['oauth_version', '1.0'],
    ];
    assert.equal(signatureBaseString('GET', 'http://photos.example.net/photos?file=vacation.jpg&size=original', params), base);
    assert.equal(hmacSha1(base, 'kd94hf93k423kf44', 'pfkkdhi9sl3r4s00'), 'tR3+Ty81lMeYAr/Fid0kMTYa/WM=');
  });
  it('hashes a known body', () => {
    assert.equal(bodyHash('Hello World'), 'Ck1VqNd45QIvq3AZd8XYQLvEhtA=');
    assert.equal(bodyHash(Buffer.from('Hello World', 'utf8')), 'Ck1VqNd45QIvq3AZd8XYQLvEhtA=');
  });
});

describe('independent signer (oauth-1.0a library)', () => {
  it('a launch signed by the library verifies', () => {
    const data = Object.fromEntries(LAUNCH);
    const signed = librarySigner(undefined, NOW).authorize({ url: URL_, method: 'POST', data: { ...data } });
    const check = verify([...LAUNCH, ...oauthPairs(signed)]);
    assert.equal(check.ok, true, check.ok ? '' : check.message);
    assert.ok(check.ok);
    assert.equal(check.consumerKey, KEY);
    assert.equal(check.nonce, signed.oauth_nonce);
    assert.equal(check.timestamp, NOW);
  });

  it('a library-signed launch with query parameters verifies once the caller adds the query', () => {
    const url = `${URL_}?course=a%20b&id=7`;
    const signed = librarySigner(undefined, NOW).authorize({ url, method: 'POST', data: Object.fromEntries(LAUNCH) });
    const params = [...LAUNCH, ...oauthPairs(signed), ...urlQueryParameters(url)];
    assert.equal(reasonOf(verify(params, { url })), 'ok');
    assert.equal(reasonOf(verify([...LAUNCH, ...oauthPairs(signed)], { url })), 'bad_signature');
  });

  it('our signature equals the library one for the same nonce and timestamp, and verifies with ours', () => {
    const ours = sign({ nonce: 'fixednonce123' });
    assert.equal(reasonOf(verify(ours)), 'ok');
    const theirs = librarySigner('fixednonce123', NOW).authorize({ url: URL_, method: 'POST', data: Object.fromEntries(LAUNCH) });
    assert.equal(new Map(ours).get('oauth_signature'), theirs.oauth_signature);
  });

  it('our signature equals the library one with query parameters and a body hash', () => {
    const url = `${URL_}?x=1&y=two`;
    const hash = bodyHash('<xml>é</xml>');
    const ours = signParameters({ method: 'POST', url, params: [], consumerKey: KEY, consumerSecret: SECRET, nonce: 'n1', timestamp: NOW, bodyHash: hash });
    const lib = librarySigner('n1', NOW);
    lib.body_hash_function = (body) => bodyHash(body);
    const theirs = lib.authorize({ url, method: 'POST', data: '<xml>é</xml>', includeBodyHash: true });
    assert.equal(theirs.oauth_body_hash, hash);
    assert.equal(new Map(ours).get('oauth_signature'), theirs.oauth_signature);
  });
});

describe('signParameters', () => {
  it('adds the protocol parameters once and signs last', () => {
    const signed = sign({ nonce: 'abc', callback: 'about:blank', bodyHash: 'h=' });
    const names = signed.map(([name]) => name);
    assert.deepEqual(names.slice(0, LAUNCH.length), LAUNCH.map(([name]) => name));
    assert.deepEqual(names.slice(LAUNCH.length), [
      'oauth_consumer_key',
      'oauth_nonce',
      'oauth_signature_method',
      'oauth_timestamp',
      'oauth_version',
      'oauth_body_hash',
      'oauth_callback',
      'oauth_signature',
    ]);
    assert.equal(reasonOf(verify(signed)), 'ok');
  });
  it('makes a random 32-hex nonce by default and re-signing does not duplicate', () => {
    const a = sign();
    const b = sign();
    const nonceA = new Map(a).get('oauth_nonce') ?? '';
    assert.match(nonceA, /^[0-9a-f]{32}$/);
    assert.notEqual(nonceA, new Map(b).get('oauth_nonce'));
    const again = signParameters({ method: 'POST', url: URL_, params: a, consumerKey: KEY, consumerSecret: SECRET, timestamp: NOW });
    assert.equal(again.length, a.length);
    assert.equal(reasonOf(verify(again)), 'ok');
  });
  it('signs the query of the URL but does not return it', () => {
    const url = `${URL_}?course=42&mode=a+b`;
    const signed = sign({ url });
    assert.ok(!signed.some(([name]) => name === 'course' || name === 'mode'));
    assert.equal(reasonOf(verify([...signed, ...urlQueryParameters(url)], { url })), 'ok');
    // Without the query, in the URL and in the parameters, the signature no longer matches.
    assert.equal(reasonOf(verify(signed, { url: URL_ })), 'bad_signature');
    assert.equal(reasonOf(verify(signed, { url })), 'bad_signature');
  });
});

describe('verifySignature', () => {
  const signed = sign();

  it('rejects a one-character change to any signed value', () => {
    const expected: Record<string, string> = {
      oauth_signature_method: 'unsupported_signature_method',
      oauth_version: 'unsupported_version',
    };
    for (let i = 0; i < signed.length; i++) {
      const [name, value] = signed[i] ?? ['', ''];
      const tampered = signed.map((pair, j): Pair => (j === i ? [name, mutate(value)] : pair));
      assert.equal(reasonOf(verify(tampered)), expected[name] ?? 'bad_signature', `changing ${name}`);
    }
  });

  it('rejects an added or a dropped parameter, the wrong secret, method or URL', () => {
    assert.equal(reasonOf(verify([...signed, ['extra', '1']])), 'bad_signature');
    assert.equal(reasonOf(verify(signed.filter(([name]) => name !== 'context_title'))), 'bad_signature');
    assert.equal(reasonOf(verify(signed, { consumerSecret: 'wrong' })), 'bad_signature');
    assert.equal(reasonOf(verify(signed, { method: 'GET' })), 'bad_signature');
    assert.equal(reasonOf(verify(signed, { url: 'http://tool.example.org/lti/launch' })), 'bad_signature');
  });

  it('accepts case differences in scheme, host and method, and an explicit default port', () => {
    assert.equal(reasonOf(verify(signed, { url: 'HTTPS://Tool.Example.org:443/lti/launch', method: 'post' })), 'ok');
  });

  it('explains a bad signature with the URL the LMS must launch', () => {
    const check = verify(signed, { consumerSecret: 'wrong' });
    assert.ok(!check.ok);
    assert.match(check.message, /does not match/);
    assert.ok(check.message.includes(URL_), check.message);
    assert.ok(!check.message.includes(SECRET));
  });

  it('returns bad_signature for a URL that does not parse, without throwing', () => {
    assert.equal(reasonOf(verify(signed, { url: 'not a url' })), 'bad_signature');
  });

  it('enforces the timestamp window both ways', () => {
    assert.equal(reasonOf(verify(signed, { nowSeconds: NOW + 301 })), 'stale_timestamp');
    assert.equal(reasonOf(verify(signed, { nowSeconds: NOW - 301 })), 'stale_timestamp');
    assert.equal(reasonOf(verify(signed, { nowSeconds: NOW + 299 })), 'ok');
    assert.equal(reasonOf(verify(signed, { nowSeconds: NOW - 299 })), 'ok');
    assert.equal(reasonOf(verify(signed, { nowSeconds: NOW + 300 })), 'ok');
    assert.equal(reasonOf(verify(signed, { nowSeconds: NOW + 60, maxSkewSeconds: 30 })), 'stale_timestamp');
  });

  it('rejects a timestamp that is not digits', () => {
    for (const bad of ['abc', '-5', '1.5', ' 17', '1e9', '99999999999999999999']) {
      const params = signed.map(([n, v]): Pair => [n, n === 'oauth_timestamp' ? bad : v]);
      assert.equal(reasonOf(verify(params)), 'bad_timestamp', bad);
    }
  });

  it('requires each protocol parameter exactly once', () => {
    for (const name of ['oauth_consumer_key', 'oauth_signature', 'oauth_signature_method', 'oauth_timestamp', 'oauth_nonce']) {
      const missing = verify(signed.filter(([n]) => n !== name));
      assert.equal(reasonOf(missing), 'missing_parameter', `without ${name}`);
      assert.ok(!missing.ok && missing.message.includes(name));
      const empty = verify(signed.map(([n, v]): Pair => [n, n === name ? '' : v]));
      assert.equal(reasonOf(empty), 'missing_parameter', `empty ${name}`);
      const pair = signed.find(([n]) => n === name);
      assert.ok(pair);
      const doubled = verify([...signed, pair]);
      assert.equal(reasonOf(doubled), 'missing_parameter', `doubled ${name}`);
      assert.ok(!doubled.ok && /exactly once/.test(doubled.message));
    }
  });

  it('accepts only HMAC-SHA1 and OAuth 1.0', () => {
    const withValue = (name: string, value: string): Pair[] => signed.map(([n, v]): Pair => [n, n === name ? value : v]);
    assert.equal(reasonOf(verify(withValue('oauth_signature_method', 'PLAINTEXT'))), 'unsupported_signature_method');
    assert.equal(reasonOf(verify(withValue('oauth_signature_method', 'RSA-SHA1'))), 'unsupported_signature_method');
    assert.equal(reasonOf(verify(withValue('oauth_version', '2.0'))), 'unsupported_version');
    assert.equal(reasonOf(verify([...signed, ['oauth_version', '1.0']])), 'missing_parameter');
  });

  it('accepts a request without oauth_version', () => {
    const params = signParameters({ method: 'POST', url: URL_, params: LAUNCH, consumerKey: KEY, consumerSecret: SECRET, timestamp: NOW })
      .filter(([n]) => n !== 'oauth_version' && n !== 'oauth_signature');
    const base = signatureBaseString('POST', URL_, params);
    assert.equal(reasonOf(verify([...params, ['oauth_signature', hmacSha1(base, SECRET)]])), 'ok');
  });
});

describe('Authorization header', () => {
  it('round-trips through authorizationHeader and parseAuthorizationHeader', () => {
    const signed = sign({ callback: 'https://x.example/cb?a=1&b=é' });
    const header = authorizationHeader(signed);
    assert.match(header, /^OAuth realm="",oauth_consumer_key="moodle-key",/);
    const parsed = parseAuthorizationHeader(header);
    assert.deepEqual(parsed, signed.filter(([name]) => name.startsWith('oauth_')));
    assert.equal(reasonOf(verify([...LAUNCH, ...parsed])), 'ok');
  });

  it('skips a realm with quotes and commas, and accepts any case of the scheme', () => {
    const header = authorizationHeader([['oauth_nonce', 'a b'], ['not_oauth', 'x']], 'Ex"am,ple\\');
    assert.equal(header, 'OAuth realm="Ex\\"am,ple\\\\",oauth_nonce="a%20b"');
    assert.deepEqual(parseAuthorizationHeader(header), [['oauth_nonce', 'a b']]);
    assert.deepEqual(parseAuthorizationHeader('oauth  oauth_nonce="n%2Bm+" , ,oauth_version=1.0'), [
      ['oauth_nonce', 'n+m+'],
      ['oauth_version', '1.0'],
    ]);
  });

  it('returns [] for other schemes and garbage', () => {
    for (const garbage of [
      undefined,
      '',
      'OAuth',
      'Basic dXNlcjpwYXNz',
      'Bearer abc',
      'OAuthoauth_nonce="x"',
      'OAuth garbage',
      'OAuth oauth_nonce="unterminated',
      'OAuth oauth_nonce="x" oauth_version="1.0"',
      'OAuth oauth_nonce="%ZZ"',
      'OAuth ="x"',
      'OAuth oauth_nonce="x\\',
      '\u0000\uffff"=,',
    ]) {
      assert.deepEqual(parseAuthorizationHeader(garbage), [], String(garbage));
    }
  });
});
