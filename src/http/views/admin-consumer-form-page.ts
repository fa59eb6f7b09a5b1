import type { CreatedConsumer } from '../../commands/create-consumer.js';
import { html } from '../../lib/html.js';
import { type AdminChrome, adminPage, csrfInput } from './admin-layout.js';

export function newConsumerPage(options: { instanceName: string; admin: AdminChrome; values?: { key?: string; url?: string }; error?: string }): string {
  const describedBy = options.error ? 'form-error key-hint' : 'key-hint';
  return adminPage({
    title: 'Add a consumer',
    instanceName: options.instanceName,
    admin: options.admin,
    current: 'consumers',
    body: html`<h1>Add a consumer</h1>
${options.error ? html`<p class="notice bad" role="alert" id="form-error">${options.error}</p>` : null}
<form method="post" action="/admin/consumers" class="stack">
${csrfInput(options.admin.csrf)}
<div>
<label for="key">Consumer key</label>
<input type="text" id="key" name="key" value="${options.values?.key ?? ''}" required maxlength="200" autocomplete="off" spellcheck="false" aria-describedby="${describedBy}">
<p class="muted hint" id="key-hint">A name for this LMS that it sends with every launch, such as <code>moodle-main</code>. The secret is generated for you.</p>
</div>
<div>
<label for="url">LMS address (optional)</label>
<input type="url" id="url" name="url" value="${options.values?.url ?? ''}" maxlength="2000" autocomplete="off" placeholder="https://lms.example.edu" aria-describedby="url-hint">
<p class="muted hint" id="url-hint">For your records only.</p>
</div>
<div class="actions"><button type="submit">Create consumer</button> <a href="/admin">Cancel</a></div>
</form>`,
  });
}

export function consumerCreatedPage(options: { instanceName: string; admin: AdminChrome; created: CreatedConsumer; origin: string }): string {
  const { created } = options;
  return adminPage({
    title: 'Consumer created',
    instanceName: options.instanceName,
    admin: options.admin,
    current: 'consumers',
    body: html`<h1>Consumer created</h1>
<p class="notice" role="status"><strong>Copy the secret now.</strong> It is shown only this once: it is stored encrypted and cannot be displayed again. If it is lost, delete this consumer and add a new one.</p>
<div class="stack">
<div>
<label for="created-key">Consumer key</label>
<input type="text" id="created-key" class="mono" readonly value="${created.key}">
</div>
<div>
<label for="created-secret">Shared secret</label>
<input type="text" id="created-secret" class="mono" readonly value="${created.secret}" data-testid="consumer-secret">
</div>
<div>
<label for="created-launch-url">Launch URL</label>
<input type="text" id="created-launch-url" class="mono" readonly value="${options.origin}/lti/launch">
</div>
</div>
<p>Enter these in the LMS: see <a href="/admin/lms-setup">Connect an LMS</a> for where each LMS asks for them.</p>
<p><a href="/admin">Back to consumers</a></p>`,
  });
}
