/**
 * /static/lti13-storage.js: the browser side of LTI platform storage (the 1EdTech
 * postMessage protocol), for the login and launch pages (src/http/views/lti13-exchange-pages.ts).
 * An external file, because those pages' CSP allows no inline script. It reads its settings
 * from the `#lti13-storage` element:
 *
 * - data-mode="put": store data-value under data-key, then go to data-next (the platform's
 *   authorization URL) whatever the outcome: the launch falls back to the cookie, then to
 *   "Open in a new window".
 * - data-mode="get": read data-key and post it back with the `#lti13-continue` form (empty
 *   when storage did not answer, and the server then looks for the cookie).
 *
 * It first asks the platform window (parent or opener) for `lti.capabilities` (target origin
 * "*": the question carries nothing), which may name the frame to talk to; otherwise the
 * frame named by lti_storage_target (`_parent` is the platform window itself, any other name
 * a frame of it, like Canvas's post_message_forwarding). Data messages go only to the
 * platform's origin, and only answers from it count. data-result records the outcome.
 */
export const LTI13_STORAGE_SCRIPT = `'use strict';
(function () {
  var config = document.getElementById('lti13-storage');
  if (!config || config.getAttribute('data-started') === 'yes') return;
  config.setAttribute('data-started', 'yes');
  var mode = config.getAttribute('data-mode');
  var targetName = config.getAttribute('data-target') || '_parent';
  var origin = config.getAttribute('data-origin');
  var key = config.getAttribute('data-key');
  var platform = window.parent !== window ? window.parent : window.opener;
  var counter = 0;

  function send(win, targetOrigin, message, timeoutMs, done) {
    var id = 'lti13-' + Date.now().toString(36) + '-' + (++counter) + '-' + Math.random().toString(36).slice(2);
    message.message_id = id;
    var finished = false;
    var timer = null;
    function finish(reply) {
      if (finished) return;
      finished = true;
      window.removeEventListener('message', onMessage);
      if (timer !== null) clearTimeout(timer);
      done(reply);
    }
    function onMessage(event) {
      var d = event.data;
      if (!d || typeof d !== 'object' || d.message_id !== id) return;
      if (d.subject !== message.subject + '.response') return;
      if (targetOrigin !== '*' && event.origin !== targetOrigin) return;
      finish(d);
    }
    window.addEventListener('message', onMessage);
    timer = setTimeout(function () { finish(null); }, timeoutMs);
    try { win.postMessage(message, targetOrigin); } catch (e) { finish(null); }
  }

  function frameNamed(name) {
    if (!platform) return null;
    if (!name || name === '_parent') return platform;
    try { return platform.frames[name] || null; } catch (e) { return null; }
  }

  // How long to wait for a data answer: a platform that listed the message has said it will
  // answer, and a busy browser or platform page can take seconds, so it gets longer than one
  // that did not answer the capabilities question, which may never answer at all.
  var LISTED_MS = 10000;
  var UNLISTED_MS = 3000;

  function storageFrame(subject, next) {
    if (!platform) return next(null, 0);
    send(platform, '*', { subject: 'lti.capabilities' }, 1500, function (reply) {
      var name = targetName;
      var list = reply && reply.supported_messages;
      if (list && list.length) {
        var found = false;
        for (var i = 0; i < list.length; i++) {
          var s = list[i] && list[i].subject;
          if (s === subject || s === 'org.imsglobal.' + subject) {
            found = true;
            if (list[i].frame) name = list[i].frame;
          }
        }
        if (!found) return next(null, 0);
        return next(frameNamed(name), LISTED_MS);
      }
      next(frameNamed(name), UNLISTED_MS);
    });
  }

  function done(result) { config.setAttribute('data-result', result); }

  if (mode === 'put') {
    var value = config.getAttribute('data-value');
    var nextUrl = config.getAttribute('data-next');
    storageFrame('lti.put_data', function (frame, waitMs) {
      function go(result) { done(result); window.location.replace(nextUrl); }
      if (!frame) return go('no-storage');
      send(frame, origin, { subject: 'lti.put_data', key: key, value: value }, waitMs, function (reply) {
        go(reply && !reply.error ? 'stored' : 'not-stored');
      });
    });
  } else if (mode === 'get') {
    var form = document.getElementById('lti13-continue');
    var field = form && form.elements.namedItem('lti_storage_value');
    storageFrame('lti.get_data', function (frame, waitMs) {
      function post(found, result) {
        done(result);
        if (field) field.value = found;
        if (form) form.submit();
      }
      if (!frame) return post('', 'no-storage');
      send(frame, origin, { subject: 'lti.get_data', key: key }, waitMs, function (reply) {
        var ok = reply && !reply.error && typeof reply.value === 'string';
        post(ok ? reply.value : '', ok ? 'found' : 'not-found');
      });
    });
  }
})();
`;
