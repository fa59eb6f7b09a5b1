import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { databaseKinds } from '../helpers/test-store.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

/**
 * A small well-formedness check (no XML parser among the dependencies): one root, every
 * tag closed in order, attributes quoted, and no bare "&" or "<" in text.
 */
function assertWellFormedXml(xml: string): string[] {
  const body = xml.replace(/^<\?xml [^?]*\?>\s*/, '');
  const stack: string[] = [];
  const seen: string[] = [];
  let roots = 0;
  const token = /<(\/?)([A-Za-z_][\w.:-]*)((?:\s+[\w.:-]+\s*=\s*"[^"<]*")*)\s*(\/?)>|([^<]+)/gy;
  let match: RegExpExecArray | null;
  let position = 0;
  while ((match = token.exec(body)) !== null) {
    position = token.lastIndex;
    const [, closing, name, , selfClosing, text] = match;
    if (text !== undefined) {
      assert.doesNotMatch(text, /&(?!(amp|lt|gt|quot|apos|#\d+|#x[0-9a-f]+);)/i, `bare & in ${JSON.stringify(text)}`);
      if (stack.length === 0) assert.match(text, /^\s*$/, 'no text outside the root');
      continue;
    }
    assert.ok(name);
    if (closing) {
      assert.equal(stack.pop(), name, `</${name}> closes the open element`);
      continue;
    }
    if (stack.length === 0) roots++;
    seen.push(name);
    if (!selfClosing) stack.push(name);
  }
  assert.equal(position, body.length, `unparsable XML at ${JSON.stringify(body.slice(position, position + 40))}`);
  assert.deepEqual(stack, [], 'every element is closed');
  assert.equal(roots, 1, 'one root element');
  return seen;
}

for (const kind of databaseKinds()) {
  describe(`LTI configuration XML (${kind})`, () => {
    let t: TestApp;
    before(async () => {
      t = await createTestApp(kind, { INSTANCE_NAME: 'A & B <x>' });
    });
    after(async () => t.close());

    it('is a well-formed basic LTI link for the request host, with every value escaped', async () => {
      const res = await t.app.inject({ method: 'GET', url: '/lti/config.xml', headers: { host: 'tool.test:8443' } });
      assert.equal(res.statusCode, 200);
      assert.equal(res.headers['content-type'], 'application/xml; charset=utf-8');
      const xml = res.body;
      const elements = assertWellFormedXml(xml);
      assert.equal(elements[0], 'cartridge_basiclti_link');
      for (const ns of ['imslticc_v1p0', 'imsbasiclti_v1p0', 'imslticm_v1p0', 'imslticp_v1p0']) {
        assert.ok(xml.includes(`"http://www.imsglobal.org/xsd/${ns}"`), ns);
      }
      assert.match(xml, /<blti:title>A &amp; B &lt;x&gt;<\/blti:title>/);
      assert.doesNotMatch(xml, /A & B/);
      assert.match(xml, /<blti:launch_url>http:\/\/tool\.test:8443\/lti\/launch<\/blti:launch_url>/);
      assert.doesNotMatch(xml, /secure_launch_url/, 'plain http has no secure launch URL');
      assert.match(xml, /<blti:icon>http:\/\/tool\.test:8443\/static\/icon\.svg<\/blti:icon>/);
      assert.match(xml, /<blti:extensions platform="canvas\.instructure\.com">/);
      assert.match(xml, /<lticm:property name="privacy_level">public<\/lticm:property>/);
      assert.match(xml, /<lticm:options name="course_navigation">\s*<lticm:property name="enabled">false<\/lticm:property>/);
      assert.match(xml, /<blti:vendor>\s*<lticp:code>lti-exam-provider<\/lticp:code>/);
      assert.ok(elements.indexOf('blti:extensions') < elements.indexOf('blti:launch_url'), 'schema order');
      assert.ok(elements.indexOf('blti:icon') < elements.indexOf('blti:vendor'), 'schema order');
    });

    it('names the secure launch URL when the origin is https', async () => {
      const https = await createTestApp(kind, { PUBLIC_URL: 'https://exams.example.edu' });
      try {
        const res = await https.app.inject({ method: 'GET', url: '/lti/config.xml', headers: { host: 'internal:8080' } });
        assertWellFormedXml(res.body);
        assert.match(res.body, /<blti:secure_launch_url>https:\/\/exams\.example\.edu\/lti\/launch<\/blti:secure_launch_url>/);
        assert.match(res.body, /<blti:launch_url>https:\/\/exams\.example\.edu\/lti\/launch<\/blti:launch_url>/);
        assert.doesNotMatch(res.body, /internal/);
      } finally {
        await https.close();
      }
    });

    it('serves the icon as cacheable SVG without authentication', async () => {
      const res = await t.app.inject({ method: 'GET', url: '/static/icon.svg', headers: { host: 'tool.test' } });
      assert.equal(res.statusCode, 200);
      assert.match(String(res.headers['content-type']), /^image\/svg\+xml/);
      assert.match(String(res.headers['cache-control']), /max-age=\d+/);
      assert.match(res.body, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
      assertWellFormedXml(res.body);
    });
  });
}
