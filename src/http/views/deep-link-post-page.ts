import { html } from '../../lib/html.js';
import { page } from './layout.js';

/**
 * /static/deep-link-post.js: submits the deep linking answer to the platform once the page has
 * loaded. An external file, because the page's CSP allows no inline script; once per page load.
 */
export const DEEP_LINK_POST_SCRIPT = `'use strict';
(function () {
  var form = document.getElementById('deep-link-form');
  if (!form || form.getAttribute('data-submitted') === 'yes') return;
  form.setAttribute('data-submitted', 'yes');
  form.submit();
})();
`;

/**
 * Only our own script; no form-action, because the platform's return URL may redirect within
 * the LMS and browsers apply form-action to redirects too.
 */
export const DEEP_LINK_POST_CSP = "default-src 'none'; script-src 'self'; style-src 'self'; base-uri 'none'";

/** The page that carries the signed answer back to the platform (form field JWT), with a button when scripts are off. */
export function deepLinkPostPage(options: { instanceName: string; returnUrl: string; jwt: string; title: string }): string {
  return page({
    title: 'Returning to your course',
    instanceName: options.instanceName,
    head: html`<script src="/static/deep-link-post.js" defer></script>`,
    body: html`<h1>Returning to your course</h1>
<p role="status">Adding “${options.title}” to your course…</p>
<form id="deep-link-form" method="post" action="${options.returnUrl}">
<input type="hidden" name="JWT" value="${options.jwt}">
<button type="submit">Continue to your course</button>
</form>`,
  });
}
