import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import {
  OutcomeXmlError,
  deleteResultRequest,
  formatScore,
  parseOutcomeResponse,
  readResultRequest,
  replaceResultRequest,
} from '../../src/lti/lti11/outcomes-xml.js';

const NS = 'http://www.imsglobal.org/services/ltiv1p1/xsd/imsoms_v1p0';

/** An independent reading of our own requests (trusted text), decoding entities as any XML reader would. */
function readRequest(xml: string): Record<string, unknown> {
  assert.equal(XMLValidator.validate(xml), true);
  return new XMLParser({ ignoreAttributes: false, parseTagValue: false, processEntities: true, htmlEntities: false }).parse(xml) as Record<
    string,
    unknown
  >;
}

function at(value: unknown, ...path: string[]): unknown {
  let node = value;
  for (const key of path) node = (node as Record<string, unknown>)[key];
  return node;
}

function response(status: string, body = '<replaceResultResponse/>'): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<imsx_POXEnvelopeResponse xmlns="${NS}">
  <imsx_POXHeader>
    <imsx_POXResponseHeaderInfo>
      <imsx_version>V1.0</imsx_version>
      <imsx_messageIdentifier>4560</imsx_messageIdentifier>
      <imsx_statusInfo>${status}</imsx_statusInfo>
    </imsx_POXResponseHeaderInfo>
  </imsx_POXHeader>
  <imsx_POXBody>${body}</imsx_POXBody>
</imsx_POXEnvelopeResponse>`;
}

const SUCCESS_STATUS = `
        <imsx_codeMajor>success</imsx_codeMajor>
        <imsx_severity>status</imsx_severity>
        <imsx_description>Score for 3124567 is now 0.92</imsx_description>
        <imsx_messageRefIdentifier>999999123</imsx_messageRefIdentifier>
        <imsx_operationRefIdentifier>replaceResult</imsx_operationRefIdentifier>`;

function xmlErrorCode(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof OutcomeXmlError, `expected OutcomeXmlError, got ${String(error)}`);
    return error.code;
  }
  assert.fail('expected an OutcomeXmlError');
}

describe('Basic Outcomes request envelopes', () => {
  it('replaceResult carries namespace, version, message id, sourcedid and score', () => {
    const doc = readRequest(replaceResultRequest('3124567', 0.92, 'msg-1'));
    const env = at(doc, 'imsx_POXEnvelopeRequest');
    assert.equal(at(env, '@_xmlns'), NS);
    assert.equal(at(env, 'imsx_POXHeader', 'imsx_POXRequestHeaderInfo', 'imsx_version'), 'V1.0');
    assert.equal(at(env, 'imsx_POXHeader', 'imsx_POXRequestHeaderInfo', 'imsx_messageIdentifier'), 'msg-1');
    const record = at(env, 'imsx_POXBody', 'replaceResultRequest', 'resultRecord');
    assert.equal(at(record, 'sourcedGUID', 'sourcedId'), '3124567');
    assert.equal(at(record, 'result', 'resultScore', 'language'), 'en');
    assert.equal(at(record, 'result', 'resultScore', 'textString'), '0.92');
  });

  it('escapes a hostile sourcedid and message id so they stay text', () => {
    const sourcedid = `a<b>&"c'</sourcedId><x>`;
    const xml = replaceResultRequest(sourcedid, 1, '<id&>');
    assert.ok(xml.includes('<sourcedId>a&lt;b&gt;&amp;&quot;c&apos;&lt;/sourcedId&gt;&lt;x&gt;</sourcedId>'));
    const doc = readRequest(xml);
    assert.equal(at(doc, 'imsx_POXEnvelopeRequest', 'imsx_POXBody', 'replaceResultRequest', 'resultRecord', 'sourcedGUID', 'sourcedId'), sourcedid);
    assert.equal(at(doc, 'imsx_POXEnvelopeRequest', 'imsx_POXHeader', 'imsx_POXRequestHeaderInfo', 'imsx_messageIdentifier'), '<id&>');
  });

  it('readResult and deleteResult name only the record', () => {
    for (const [xml, op] of [
      [readResultRequest('s-1', 'm1'), 'readResultRequest'],
      [deleteResultRequest('s-1', 'm2'), 'deleteResultRequest'],
    ] as const) {
      const doc = readRequest(xml);
      const request = at(doc, 'imsx_POXEnvelopeRequest', 'imsx_POXBody', op);
      assert.equal(at(request, 'resultRecord', 'sourcedGUID', 'sourcedId'), 's-1');
      assert.equal(at(request, 'resultRecord', 'result'), undefined);
      assert.ok(!xml.includes('textString'));
    }
  });

  it('formats scores as plain decimals in 0..1 with at most four decimals', () => {
    const cases: Array<[number, string]> = [
      [0, '0'],
      [-0, '0'],
      [1, '1'],
      [0.5, '0.5'],
      [0.92, '0.92'],
      [1 / 3, '0.3333'],
      [2 / 3, '0.6667'],
      [1e-7, '0'],
      [0.00005, '0.0001'],
      [0.99999, '1'],
      [0.1 + 0.2, '0.3'],
      [1 + 1e-12, '1'],
      [-1e-12, '0'],
    ];
    for (const [score, text] of cases) {
      assert.equal(formatScore(score), text, `score ${score}`);
      assert.match(formatScore(score), /^(0|1|0\.\d{1,4})$/);
    }
    assert.ok(replaceResultRequest('s', 1e-7, 'm').includes('<textString>0</textString>'));
  });

  it('refuses scores outside 0..1 or not numbers', () => {
    for (const score of [1.01, -0.01, Number.NaN, Number.POSITIVE_INFINITY, 92]) {
      assert.equal(xmlErrorCode(() => replaceResultRequest('s', score, 'm')), 'bad_score', `score ${score}`);
    }
  });
});

describe('parseOutcomeResponse', () => {
  it('reads a success answer', () => {
    assert.deepEqual(parseOutcomeResponse(response(SUCCESS_STATUS)), {
      codeMajor: 'success',
      severity: 'status',
      description: 'Score for 3124567 is now 0.92',
      messageRefIdentifier: '999999123',
      operation: 'replaceResult',
      score: null,
    });
  });

  it('reads the score of a readResult answer, and null for an empty one', () => {
    const body = (text: string): string =>
      `<readResultResponse><result><resultScore><language>en</language><textString>${text}</textString></resultScore></result></readResultResponse>`;
    const status = '<imsx_codeMajor>success</imsx_codeMajor><imsx_severity>status</imsx_severity>';
    assert.equal(parseOutcomeResponse(response(status, body('0.91'))).score, 0.91);
    assert.equal(parseOutcomeResponse(response(status, body(''))).score, null);
    assert.equal(parseOutcomeResponse(response(status, body('n/a'))).score, null);
    assert.equal(parseOutcomeResponse(response(status, body('0.91'))).operation, 'readResult');
  });

  it('reads a failure with its description, decoding entities and CDATA', () => {
    const parsed = parseOutcomeResponse(
      response(
        '<imsx_codeMajor>failure</imsx_codeMajor><imsx_severity>error</imsx_severity>' +
          '<imsx_description>Sourcedid &lt;x&gt; &amp; caf&#233; &#x2713;</imsx_description>',
      ),
    );
    assert.equal(parsed.codeMajor, 'failure');
    assert.equal(parsed.severity, 'error');
    assert.equal(parsed.description, 'Sourcedid <x> & café ✓');
    const cdata = parseOutcomeResponse(response('<imsx_codeMajor>failure</imsx_codeMajor><imsx_description><![CDATA[<raw> &amp;]]></imsx_description>'));
    assert.equal(cdata.description, '<raw> &amp;');
  });

  it('accepts namespace prefixes and upper-case codes, as some LMSs send them', () => {
    const xml = `<?xml version="1.0"?>
<ims:imsx_POXEnvelopeResponse xmlns:ims="${NS}">
  <ims:imsx_POXHeader><ims:imsx_POXResponseHeaderInfo><ims:imsx_statusInfo>
    <ims:imsx_codeMajor>Success</ims:imsx_codeMajor><ims:imsx_severity>Status</ims:imsx_severity>
  </ims:imsx_statusInfo></ims:imsx_POXResponseHeaderInfo></ims:imsx_POXHeader>
  <ims:imsx_POXBody><ims:deleteResultResponse/></ims:imsx_POXBody>
</ims:imsx_POXEnvelopeResponse>`;
    const parsed = parseOutcomeResponse(xml);
    assert.equal(parsed.codeMajor, 'success');
    assert.equal(parsed.severity, 'status');
    assert.equal(parsed.operation, 'deleteResult');
    assert.equal(parsed.description, null);
  });

  it('leaves an undeclared entity reference as literal text', () => {
    const parsed = parseOutcomeResponse(response('<imsx_codeMajor>failure</imsx_codeMajor><imsx_description>x &foo; y</imsx_description>'));
    assert.equal(parsed.description, 'x &foo; y');
  });
});

describe('parseOutcomeResponse against entity attacks', () => {
  const billionLaughs = `<?xml version="1.0"?>
<!DOCTYPE lolz [
  <!ENTITY lol "lol">
  <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
  <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
  <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
  <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
  <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
  <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
${response('<imsx_codeMajor>success</imsx_codeMajor><imsx_description>&lol9;</imsx_description>').replace(/^<\?xml[^>]*>\n/, '')}`;

  const externalEntity = `<?xml version="1.0"?>
<!DOCTYPE r [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> ]>
${response('<imsx_codeMajor>&xxe;</imsx_codeMajor><imsx_description>&xxe;</imsx_description>').replace(/^<\?xml[^>]*>\n/, '')}`;

  it('refuses a billion-laughs body without expanding it', () => {
    assert.equal(xmlErrorCode(() => parseOutcomeResponse(billionLaughs)), 'doctype');
  });

  it('refuses an external entity body without reading the file', () => {
    assert.equal(xmlErrorCode(() => parseOutcomeResponse(externalEntity)), 'doctype');
  });

  it('refuses a lone ENTITY declaration and a lower-case doctype too', () => {
    assert.equal(xmlErrorCode(() => parseOutcomeResponse(`<!ENTITY a "b">${response(SUCCESS_STATUS)}`)), 'doctype');
    assert.equal(xmlErrorCode(() => parseOutcomeResponse(`<!doctype x>${response(SUCCESS_STATUS)}`)), 'doctype');
  });
});

describe('parseOutcomeResponse on answers that are not outcome responses', () => {
  const cases: Array<[string, string, string]> = [
    ['empty', '', 'not_xml'],
    ['plain text', 'Internal Server Error', 'not_xml'],
    ['HTML error page', '<html><body>Bad gateway<br></body></html>', 'not_xml'],
    ['truncated', response(SUCCESS_STATUS).slice(0, 200), 'not_xml'],
    ['JSON', '{"codeMajor":"success"}', 'not_xml'],
    ['other XML', '<result><ok>true</ok></result>', 'not_outcome_response'],
    ['a request echoed back', replaceResultRequest('s', 0.5, 'm'), 'not_outcome_response'],
    ['no codeMajor', response('<imsx_severity>status</imsx_severity>'), 'not_outcome_response'],
    ['empty codeMajor', response('<imsx_codeMajor>  </imsx_codeMajor>'), 'not_outcome_response'],
    ['codeMajor outside the header', response('', '<imsx_statusInfo><imsx_codeMajor>success</imsx_codeMajor></imsx_statusInfo>'), 'not_outcome_response'],
  ];
  for (const [name, xml, code] of cases) {
    it(`${name} → ${code}`, () => {
      assert.equal(xmlErrorCode(() => parseOutcomeResponse(xml)), code);
    });
  }
});
