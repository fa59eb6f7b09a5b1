import type { ConsumerListing } from '../../commands/list-consumers.js';
import { html } from '../../lib/html.js';
import { type AdminChrome, adminPage, consumerPath, csrfInput, plural } from './admin-layout.js';

export function deleteConsumerPage(options: { instanceName: string; admin: AdminChrome; consumer: ConsumerListing }): string {
  const { consumer, admin } = options;
  return adminPage({
    title: 'Delete a consumer',
    instanceName: options.instanceName,
    admin,
    current: 'consumers',
    body: html`<h1>Delete the consumer <code>${consumer.key}</code>?</h1>
<p data-testid="delete-counts">This also removes <strong>${plural(consumer.resourceLinks, 'link', 'links')}</strong> and <strong>${plural(consumer.users, 'user', 'users')}</strong> recorded under it, with their launches. The LMS using this key will no longer be able to launch the tool. This cannot be undone.</p>
${
  consumer.disabled
    ? null
    : html`<p>To stop launches but keep the records, disable it instead:</p>
<form method="post" action="${consumerPath(consumer.key, 'disable')}">${csrfInput(admin.csrf)}<button type="submit" class="secondary">Disable instead</button></form>`
}
<form method="post" action="${consumerPath(consumer.key, 'delete')}" class="confirm">
${csrfInput(admin.csrf)}
<div class="actions"><button type="submit" class="danger">Delete the consumer and its records</button> <a href="/admin">Cancel</a></div>
</form>`,
  });
}
