import { html } from '../../lib/html.js';
import { page } from './layout.js';

/**
 * /static/lti-close.js: tells the platform the tool is done (dynamic registration), with the
 * `org.imsglobal.lti.close` message to the window that opened us, or the frame around us.
 * An external file, because the page's Content-Security-Policy allows no inline script.
 */
export const LTI_CLOSE_SCRIPT = `'use strict';
(function () {
  var target = window.opener || (window.parent !== window ? window.parent : null);
  if (target) target.postMessage({ subject: 'org.imsglobal.lti.close' }, '*');
})();
`;

/** The pages of /lti/register: only our own script, no inline code, nothing from elsewhere. */
export const REGISTER_PAGE_CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors *";

export function registrationDonePage(options: { instanceName: string; issuer: string; clientId: string; deploymentId: string | null; created: boolean }): string {
  return page({
    title: 'Registration complete',
    instanceName: options.instanceName,
    head: html`<script src="/static/lti-close.js" defer></script>`,
    body: html`<h1>Registration complete</h1>
<p role="status" data-testid="registration-done">${options.instanceName} is now registered with ${options.issuer}${options.created ? '' : ' (it was already known; the deployment was added)'}.</p>
<dl>
<dt>Client ID</dt><dd><code>${options.clientId}</code></dd>
<dt>Deployment ID</dt><dd><code>${options.deploymentId ?? 'none given yet'}</code></dd>
</dl>
<p class="muted">This window closes by itself; if it does not, close it and return to your platform.</p>`,
  });
}
