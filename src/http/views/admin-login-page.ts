import { html } from '../../lib/html.js';
import { adminPage } from './admin-layout.js';

export function adminLoginPage(options: { instanceName: string; next: string; username?: string; error?: string }): string {
  return adminPage({
    title: 'Sign in',
    instanceName: options.instanceName,
    admin: null,
    body: html`<h1>Admin sign in</h1>
${options.error ? html`<p class="notice bad" role="alert" id="login-error">${options.error}</p>` : null}
<form method="post" action="/admin/login" class="stack">
<input type="hidden" name="next" value="${options.next}">
<div>
<label for="username">Username</label>
<input type="text" id="username" name="username" value="${options.username ?? ''}" autocomplete="username" autocapitalize="none" spellcheck="false" required maxlength="100"${options.error ? html` aria-describedby="login-error"` : null}>
</div>
<div>
<label for="password">Password</label>
<input type="password" id="password" name="password" autocomplete="current-password" required maxlength="1024">
</div>
<div><button type="submit">Sign in</button></div>
</form>
<p class="muted">Admin accounts are created on the server with <code>lti-exam-provider admin create --username NAME</code>.</p>`,
  });
}
