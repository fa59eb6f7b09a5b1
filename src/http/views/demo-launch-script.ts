/**
 * /static/demo-launch.js: posts the demo LMS's signed launch form into the tool frame as
 * soon as the page has loaded, as an LMS does. An external file, because the pages' CSP
 * allows no inline script. Runs once per page load: a page restored from the back/forward
 * cache does not run it again, so a used nonce is never re-sent.
 */
export const DEMO_LAUNCH_SCRIPT = `'use strict';
(function () {
  var form = document.getElementById('lti-launch-form');
  if (!form || form.getAttribute('data-submitted') === 'yes') return;
  form.setAttribute('data-submitted', 'yes');
  form.submit();
})();
`;
