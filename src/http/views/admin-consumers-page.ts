import type { ConsumerListing } from '../../commands/list-consumers.js';
import { html, type SafeHtml } from '../../lib/html.js';
import { type AdminChrome, adminPage, consumerPath, csrfInput } from './admin-layout.js';

export type ConsumerNotice = 'disabled' | 'enabled' | 'deleted';

const NOTICES: Record<ConsumerNotice, string> = {
  disabled: 'The consumer was disabled: its launches are refused until it is enabled again.',
  enabled: 'The consumer was enabled: its launches are accepted again.',
  deleted: 'The consumer was deleted, with everything recorded under it.',
};

function date(ms: number): SafeHtml {
  const iso = new Date(ms).toISOString();
  return html`<time datetime="${iso}">${iso.slice(0, 10)}</time>`;
}

function row(c: ConsumerListing, csrf: string): SafeHtml {
  const toggle = c.disabled ? 'enable' : 'disable';
  return html`<tr>
<th scope="row"><code>${c.key}</code></th>
<td>${c.url ? html`<span class="mono">${c.url}</span>` : html`<span class="muted">none</span>`}</td>
<td>${c.disabled ? html`<strong class="status-disabled">Disabled</strong>` : 'Enabled'}</td>
<td>${c.resourceLinks}</td>
<td>${c.users}</td>
<td>${date(c.createdAt)}</td>
<td><div class="actions">
<form method="post" action="${consumerPath(c.key, toggle)}" class="inline">${csrfInput(csrf)}<button type="submit" class="secondary">${c.disabled ? 'Enable' : 'Disable'}<span class="visually-hidden"> ${c.key}</span></button></form>
<a href="${consumerPath(c.key, 'delete')}">Delete<span class="visually-hidden"> ${c.key}</span></a>
</div></td>
</tr>`;
}

export function adminConsumersPage(options: { instanceName: string; admin: AdminChrome; consumers: ConsumerListing[]; notice?: ConsumerNotice }): string {
  const { consumers, admin } = options;
  return adminPage({
    title: 'Consumers',
    instanceName: options.instanceName,
    admin,
    current: 'consumers',
    body: html`<h1>Consumers</h1>
${options.notice ? html`<p class="notice" role="status">${NOTICES[options.notice]}</p>` : null}
<p>A consumer is one LMS allowed to launch this tool. Each has a key and a secret that the LMS signs its launches with.</p>
<p class="actions"><a class="button" href="/admin/consumers/new">Add a consumer</a> <a class="button secondary" href="/admin/lms-setup">Connect an LMS</a></p>
${
  consumers.length === 0
    ? html`<p class="muted">No consumers yet. Add one for each LMS that will launch this tool.</p>`
    : html`<table>
<caption class="visually-hidden">Consumers</caption>
<thead><tr><th scope="col">Key</th><th scope="col">URL</th><th scope="col">Status</th><th scope="col">Links</th><th scope="col">Users</th><th scope="col">Created</th><th scope="col">Actions</th></tr></thead>
<tbody>
${consumers.map((c) => row(c, admin.csrf))}
</tbody>
</table>`
}`,
  });
}
