import type { PlatformListing } from '../../commands/list-platforms.js';
import { html, type SafeHtml } from '../../lib/html.js';
import { type AdminChrome, adminPage, csrfInput, plural, platformPath } from './admin-layout.js';

export type PlatformNotice = 'disabled' | 'enabled' | 'deleted' | 'deployment-added';

const NOTICES: Record<PlatformNotice, string> = {
  disabled: 'The platform was disabled: its launches are refused until it is enabled again.',
  enabled: 'The platform was enabled: its launches are accepted again.',
  deleted: 'The platform was deleted, with everything recorded under it.',
  'deployment-added': 'The deployment was added: launches naming it are accepted.',
};

/** A refused "add deployment", shown beside the form it came from. */
export interface DeploymentProblem {
  platformId: number;
  deployment: string;
  message: string;
}

function date(ms: number): SafeHtml {
  const iso = new Date(ms).toISOString();
  return html`<time datetime="${iso}">${iso.slice(0, 10)}</time>`;
}

function title(p: PlatformListing): string {
  return p.name ?? p.issuer;
}

function deploymentForm(p: PlatformListing, csrf: string, problem: DeploymentProblem | undefined): SafeHtml {
  const id = `deployment-${p.id}`;
  const mine = problem?.platformId === p.id ? problem : undefined;
  return html`<form method="post" action="${platformPath(p.id, 'deployments')}" class="stack">
${csrfInput(csrf)}
<div>
<label for="${id}">Add a deployment ID<span class="visually-hidden"> to ${title(p)}</span></label>
<input type="text" id="${id}" name="deployment" value="${mine?.deployment ?? ''}" required maxlength="255" autocomplete="off" spellcheck="false"${
    mine ? html` aria-invalid="true" aria-describedby="${id}-error"` : null
  }>
${mine ? html`<p class="error-message" id="${id}-error" role="alert">${mine.message}</p>` : null}
</div>
<div class="actions"><button type="submit" class="secondary">Add deployment</button></div>
</form>`;
}

function platformSection(p: PlatformListing, csrf: string, problem: DeploymentProblem | undefined): SafeHtml {
  const toggle = p.disabled ? 'enable' : 'disable';
  return html`<section aria-labelledby="platform-${p.id}-title" data-platform-id="${p.id}">
<h2 id="platform-${p.id}-title">${title(p)}</h2>
<table>
<caption class="visually-hidden">Platform ${title(p)}</caption>
<tbody>
<tr><th scope="row">Status</th><td>${p.disabled ? html`<strong class="status-disabled">Disabled</strong>` : 'Enabled'}</td></tr>
<tr><th scope="row">Issuer</th><td><code>${p.issuer}</code></td></tr>
<tr><th scope="row">Client ID</th><td><code>${p.clientId}</code></td></tr>
<tr><th scope="row">Login URL</th><td><span class="mono">${p.authLoginUrl}</span></td></tr>
<tr><th scope="row">Token URL</th><td><span class="mono">${p.tokenUrl}</span></td></tr>
<tr><th scope="row">Keyset URL</th><td><span class="mono">${p.jwksUrl}</span></td></tr>
${p.tokenAudience ? html`<tr><th scope="row">Token audience</th><td><code>${p.tokenAudience}</code></td></tr>` : null}
<tr><th scope="row">Deployments</th><td>${
    p.deployments.length === 0
      ? html`<span class="muted">None yet: launches are refused until a deployment is added.</span>`
      : html`<ul>${p.deployments.map((d) => html`<li><code>${d}</code></li>`)}</ul>`
  }</td></tr>
<tr><th scope="row">Recorded</th><td>${plural(p.resourceLinks, 'link', 'links')}, ${plural(p.users, 'user', 'users')}</td></tr>
<tr><th scope="row">Registered</th><td>${date(p.createdAt)}</td></tr>
</tbody>
</table>
${deploymentForm(p, csrf, problem)}
<div class="actions">
<form method="post" action="${platformPath(p.id, toggle)}" class="inline">${csrfInput(csrf)}<button type="submit" class="secondary">${p.disabled ? 'Enable' : 'Disable'}<span class="visually-hidden"> ${title(p)}</span></button></form>
<a href="${platformPath(p.id, 'delete')}">Delete<span class="visually-hidden"> ${title(p)}</span></a>
</div>
</section>`;
}

export function adminPlatformsPage(options: {
  instanceName: string;
  admin: AdminChrome;
  platforms: PlatformListing[];
  notice?: PlatformNotice;
  problem?: DeploymentProblem;
}): string {
  const { platforms, admin } = options;
  return adminPage({
    title: 'Platforms (LTI 1.3)',
    instanceName: options.instanceName,
    admin,
    current: 'platforms',
    body: html`<h1>Platforms (LTI 1.3)</h1>
${options.notice ? html`<p class="notice" role="status">${NOTICES[options.notice]}</p>` : null}
<p>A platform is one LMS registration for LTI 1.3: its issuer and the client ID it gave this tool. One LMS may hold several registrations under the same issuer. Launches are accepted only for the deployments recorded here.</p>
<div class="actions">
<a class="button" href="/admin/platforms/new">Register a platform</a>
<form method="post" action="/admin/platforms/registration-url" class="inline">${csrfInput(admin.csrf)}<button type="submit" class="secondary">Issue a one-time registration URL</button></form>
<a href="/admin/lms-setup">Connect an LMS</a>
</div>
<p class="muted hint">A one-time registration URL lets an LMS that supports LTI dynamic registration register this tool by itself; it works once, within an hour.</p>
${
  platforms.length === 0
    ? html`<p class="muted">No platforms yet. Register one by hand, or issue a one-time registration URL for the LMS.</p>`
    : platforms.map((p) => platformSection(p, admin.csrf, options.problem))
}`,
  });
}
