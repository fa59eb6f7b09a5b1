import type { PlatformListing } from '../../commands/list-platforms.js';
import { html } from '../../lib/html.js';
import { type AdminChrome, adminPage, csrfInput, platformPath, plural } from './admin-layout.js';

export function deletePlatformPage(options: { instanceName: string; admin: AdminChrome; platform: PlatformListing }): string {
  const { platform, admin } = options;
  return adminPage({
    title: 'Delete a platform',
    instanceName: options.instanceName,
    admin,
    current: 'platforms',
    body: html`<h1>Delete the platform <code>${platform.name ?? platform.issuer}</code>?</h1>
<p>Issuer <code>${platform.issuer}</code>, client ID <code>${platform.clientId}</code>.</p>
<p data-testid="delete-counts">This also removes its ${plural(platform.deployments.length, 'deployment', 'deployments')}, <strong>${plural(platform.resourceLinks, 'link', 'links')}</strong> and <strong>${plural(platform.users, 'user', 'users')}</strong> recorded under it, with their launches. The LMS will no longer be able to launch the tool with this registration. This cannot be undone.</p>
${
  platform.disabled
    ? null
    : html`<p>To stop launches but keep the records, disable it instead:</p>
<form method="post" action="${platformPath(platform.id, 'disable')}">${csrfInput(admin.csrf)}<button type="submit" class="secondary">Disable instead</button></form>`
}
<form method="post" action="${platformPath(platform.id, 'delete')}" class="confirm">
${csrfInput(admin.csrf)}
<div class="actions"><button type="submit" class="danger">Delete the platform and its records</button> <a href="/admin/platforms">Cancel</a></div>
</form>`,
  });
}
