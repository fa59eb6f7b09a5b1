import { escapeHtml } from './http-kit.js';
import type { LoginInitiation } from './types.js';

/** The frame name tools are told to post to (lti_storage_target), as Canvas names it. */
export const STORAGE_FRAME_NAME = 'post_message_forwarding';

/**
 * Browser side of the LTI platform storage postMessage protocol: answers lti.capabilities,
 * lti.put_data and lti.get_data (also with the org.imsglobal. prefix) for tool origins only,
 * keeping values per origin in the page's memory. `frameName` is announced in capabilities.
 * Values and a log are exposed on window.__ltiStorage and window.__ltiStorageLog for tests. A
 * test can make it a slow platform: window.__ltiStorageDelayMs (set before the page's scripts,
 * e.g. by an init script) delays its answers to put_data and get_data.
 */
function storageScript(allowedOrigins: string[], frameName: string | null): string {
  return `(function () {
  var allowed = ${JSON.stringify(allowedOrigins)};
  var frameName = ${JSON.stringify(frameName)};
  var store = {};
  var log = [];
  window.__ltiStorage = store;
  window.__ltiStorageLog = log;
  window.addEventListener('message', function (event) {
    var d = event.data;
    if (!d || typeof d !== 'object' || typeof d.subject !== 'string') return;
    var subject = d.subject.replace(/^org\\.imsglobal\\./, '');
    if (subject.indexOf('lti.') !== 0 || /\\.response$/.test(subject)) return;
    if (allowed.indexOf(event.origin) < 0) {
      log.push({ origin: event.origin, subject: d.subject, refused: 'origin not allowed' });
      return;
    }
    var reply = { subject: d.subject + '.response', message_id: d.message_id };
    var key = event.origin + ' ' + d.key;
    if (d.message_id === undefined || d.message_id === null || d.message_id === '') {
      reply.error = { code: 'bad_request', message: 'message_id is required.' };
    } else if (subject === 'lti.capabilities') {
      var put = { subject: 'lti.put_data' };
      var get = { subject: 'lti.get_data' };
      if (frameName) { put.frame = frameName; get.frame = frameName; }
      reply.supported_messages = [{ subject: 'lti.capabilities' }, put, get];
    } else if (subject !== 'lti.put_data' && subject !== 'lti.get_data') {
      reply.error = { code: 'unsupported_subject', message: 'Unsupported subject ' + d.subject + '.' };
    } else if (typeof d.key !== 'string' || d.key === '') {
      reply.error = { code: 'bad_request', message: 'key is required.' };
    } else if (subject === 'lti.put_data') {
      if (typeof d.value !== 'string') {
        reply.error = { code: 'bad_request', message: 'value must be a string.' };
      } else {
        store[key] = d.value;
        reply.key = d.key;
        reply.value = d.value;
      }
    } else if (Object.prototype.hasOwnProperty.call(store, key)) {
      reply.key = d.key;
      reply.value = store[key];
    } else {
      reply.error = { code: 'bad_request', message: 'No value is stored under ' + d.key + ' for this origin.' };
    }
    log.push({ origin: event.origin, subject: d.subject, key: d.key, error: reply.error ? reply.error.code : null });
    var delay = subject === 'lti.capabilities' ? 0 : window.__ltiStorageDelayMs || 0;
    var source = event.source;
    var target = event.origin;
    // Answer at once unless a test asked for a slow platform.
    if (delay > 0) setTimeout(function () { source.postMessage(reply, target); }, delay);
    else source.postMessage(reply, target);
  });
})();`;
}

/** GET /storage-frame: the named frame the tool's pages post to. */
export function storageFramePage(allowedOrigins: string[]): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>LTI storage</title></head><body>
<script>${storageScript(allowedOrigins, STORAGE_FRAME_NAME)}</script>
</body></html>`;
}

/**
 * GET /launch-frame: the course page of the LMS. It holds the storage frame and an iframe for
 * the tool, then submits the login initiation into the tool frame once storage is ready. It
 * answers storage messages itself too, for tools told lti_storage_target=_parent.
 */
export function launchFramePage(login: LoginInitiation, allowedOrigins: string[]): string {
  const action = login.method === 'GET' ? login.url.split('?')[0] ?? login.url : login.url;
  const inputs = Object.entries(login.params)
    .map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`)
    .join('\n');
  return `<!doctype html><html><head><meta charset="utf-8"><title>Course page</title></head><body>
<iframe name="${STORAGE_FRAME_NAME}" id="storage" src="/storage-frame" style="display:none"></iframe>
<iframe name="tool" id="tool" title="Tool" style="width:100%;height:90vh;border:0"></iframe>
<form id="lti" method="${login.method.toLowerCase()}" action="${escapeHtml(action)}" target="tool">
${inputs}
</form>
<script>${storageScript(allowedOrigins, null)}</script>
<script>
(function () {
  var frame = document.getElementById('storage');
  var sent = false;
  function go() { if (!sent) { sent = true; document.getElementById('lti').submit(); } }
  frame.addEventListener('load', go);
  try { if (frame.contentDocument && frame.contentDocument.readyState === 'complete' && frame.contentWindow.__ltiStorage) go(); } catch (e) {}
})();
</script>
</body></html>`;
}
