import { html, type SafeHtml } from '../../lib/html.js';

/** The addresses an LMS needs to register this tool for LTI 1.3, from this site's public origin. */
export interface Lti13ToolUrls {
  login: string;
  launch: string;
  jwks: string;
  register: string;
}

export function lti13ToolUrls(origin: string): Lti13ToolUrls {
  return { login: `${origin}/lti/login`, launch: `${origin}/lti/launch`, jwks: `${origin}/lti/jwks`, register: `${origin}/lti/register` };
}

/** The tool's LTI 1.3 URLs as labelled read-only fields; `idPrefix` keeps ids unique on a page. */
export function lti13ToolUrlFields(origin: string, idPrefix: string): SafeHtml {
  const urls = lti13ToolUrls(origin);
  const field = (id: string, label: string, value: string, hint: string): SafeHtml => html`<div>
<label for="${idPrefix}-${id}">${label}</label>
<input type="text" id="${idPrefix}-${id}" class="mono" readonly value="${value}" aria-describedby="${idPrefix}-${id}-hint">
<p class="muted hint" id="${idPrefix}-${id}-hint">${hint}</p>
</div>`;
  return html`<div class="stack">
${field('login-url', 'OpenID Connect login URL (login initiation)', urls.login, 'Where the LMS starts every launch.')}
${field('launch-url', 'Launch URL (redirect URI, target link URI, deep linking URL)', urls.launch, 'The same address as for LTI 1.1: the tool tells the two apart.')}
${field('jwks-url', 'Public keyset URL (JWKS)', urls.jwks, "The tool's public keys, for checking what the tool signs.")}
${field('register-url', 'Dynamic registration URL', urls.register, 'Only with a one-time token: issue one on the Platforms page.')}
</div>`;
}
