import { html } from '../../lib/html.js';
import { page } from './layout.js';

export function errorPage(options: { title: string; message: string; code: string; reference?: string; instanceName: string }): string {
  return page({
    title: options.title,
    instanceName: options.instanceName,
    body: html`<h1>${options.title}</h1>
<p class="error-message" role="alert" data-error-code="${options.code}">${options.message}</p>
${options.reference ? html`<p class="muted">Reference: <code>${options.reference}</code></p>` : null}`,
  });
}
