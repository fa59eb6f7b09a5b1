import { html } from '../../lib/html.js';
import { type AdminChrome, adminPage } from './admin-layout.js';

export function registrationUrlPage(options: { instanceName: string; admin: AdminChrome; url: string; expiresAt: number }): string {
  const expires = new Date(options.expiresAt).toISOString();
  return adminPage({
    title: 'One-time registration URL',
    instanceName: options.instanceName,
    admin: options.admin,
    current: 'platforms',
    body: html`<h1>One-time registration URL</h1>
<p class="notice" role="status"><strong>Copy this URL now.</strong> It is shown only this once, works for one registration, and expires at <time datetime="${expires}">${expires.slice(0, 16).replace('T', ' ')} UTC</time>.</p>
<div class="stack">
<div>
<label for="registration-url">Registration URL</label>
<input type="text" id="registration-url" class="mono" readonly value="${options.url}" data-testid="registration-url" aria-describedby="registration-url-hint">
<p class="muted hint" id="registration-url-hint">Paste it into the LMS where it registers a tool by URL (LTI Advantage dynamic registration). The LMS and the tool then exchange their details, and the platform appears on the Platforms page.</p>
</div>
</div>
<p><a href="/admin/platforms">Back to platforms</a></p>`,
  });
}
