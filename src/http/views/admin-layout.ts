import { html, type SafeHtml } from '../../lib/html.js';
import { page } from './layout.js';

/** What the admin chrome needs about the signed-in admin. */
export interface AdminChrome {
  username: string;
  csrf: string;
}

export type AdminSection = 'consumers' | 'platforms' | 'lms-setup';

/** The hidden field every admin POST form carries (see src/http/auth/admin-session.ts). */
export function csrfInput(csrf: string): SafeHtml {
  return html`<input type="hidden" name="csrf" value="${csrf}">`;
}

function nav(admin: AdminChrome, current: AdminSection | undefined): SafeHtml {
  const link = (href: string, section: AdminSection, label: string): SafeHtml =>
    html`<a href="${href}"${current === section ? html` aria-current="page"` : null}>${label}</a>`;
  return html`<nav class="top" aria-label="Admin">
${link('/admin', 'consumers', 'Consumers')}
${link('/admin/platforms', 'platforms', 'Platforms (LTI 1.3)')}
${link('/admin/lms-setup', 'lms-setup', 'Connect an LMS')}
<span class="spacer"></span>
<span class="muted">Signed in as ${admin.username}</span>
<form method="post" action="/admin/logout" class="inline">${csrfInput(admin.csrf)}<button type="submit" class="secondary">Sign out</button></form>
</nav>`;
}

export function adminPage(options: { title: string; instanceName: string; admin: AdminChrome | null; current?: AdminSection; body: SafeHtml }): string {
  return page({
    title: `${options.title} · Admin`,
    instanceName: options.instanceName,
    body: html`${options.admin ? nav(options.admin, options.current) : null}
${options.body}`,
  });
}

export function plural(count: number, one: string, many: string): string {
  return `${count} ${count === 1 ? one : many}`;
}

/** Path of a consumer's admin URLs; keys may hold any printable character, slashes included. */
export function consumerPath(key: string, action: 'disable' | 'enable' | 'delete'): string {
  return `/admin/consumers/${encodeURIComponent(key)}/${action}`;
}

/** Path of a platform's admin URLs. */
export function platformPath(id: number, action: 'disable' | 'enable' | 'delete' | 'deployments'): string {
  return `/admin/platforms/${id}/${action}`;
}
