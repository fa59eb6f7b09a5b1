/**
 * The pages of the LTI 1.3 login and launch exchange that need the browser's help: platform
 * storage (put at login, get at launch; the work is done by /static/lti13-storage.js) and the
 * "Open in a new window" fallback when the browser kept the state nowhere.
 */
import { html } from '../../lib/html.js';
import { page } from './layout.js';

const SCRIPT = html`<script src="/static/lti13-storage.js" defer></script>`;

export interface StoragePutPage {
  target: string;
  platformOrigin: string;
  key: string;
  value: string;
  authUrl: string;
  instanceName: string;
}

/** Login: store the state in platform storage, then go on to the platform's authorization endpoint. */
export function storagePutPage(p: StoragePutPage): string {
  return page({
    title: 'Starting the launch',
    instanceName: p.instanceName,
    head: SCRIPT,
    body: html`<h1>Starting the launch…</h1>
<div id="lti13-storage" hidden data-mode="put" data-target="${p.target}" data-origin="${p.platformOrigin}" data-key="${p.key}" data-value="${p.value}" data-next="${p.authUrl}"></div>
<p class="muted">If nothing happens, <a href="${p.authUrl}">continue</a>.</p>`,
  });
}

export interface StorageGetPage {
  target: string;
  platformOrigin: string;
  key: string;
  idToken: string;
  state: string;
  instanceName: string;
}

/** Launch: read the state back from platform storage and post it with the launch to the continuation. */
export function storageGetPage(p: StorageGetPage): string {
  return page({
    title: 'Opening',
    instanceName: p.instanceName,
    head: SCRIPT,
    body: html`<h1>Opening…</h1>
<div id="lti13-storage" hidden data-mode="get" data-target="${p.target}" data-origin="${p.platformOrigin}" data-key="${p.key}"></div>
<form id="lti13-continue" method="post" action="/lti/launch/continue">
<input type="hidden" name="id_token" value="${p.idToken}">
<input type="hidden" name="state" value="${p.state}">
<input type="hidden" name="lti_storage_value" value="">
<noscript><button type="submit">Continue</button></noscript>
</form>`,
  });
}

export interface NewWindowPage {
  login: Record<string, string>;
  instanceName: string;
}

/** Neither platform storage nor a cookie kept the state: start the login again at top level. */
export function newWindowPage(p: NewWindowPage): string {
  const fields = Object.entries(p.login).map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}">\n`);
  return page({
    title: 'Open in a new window',
    instanceName: p.instanceName,
    body: html`<h1>Open in a new window</h1>
<p id="lti13-new-window-reason">Your browser did not keep the sign-in information this page needs inside the course frame (it blocks third-party cookies).</p>
<form id="lti13-new-window" method="post" action="/lti/login" target="_blank">
${fields}<button type="submit">Open in a new window</button>
</form>`,
  });
}
