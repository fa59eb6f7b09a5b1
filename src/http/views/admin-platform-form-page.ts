import type { PlatformField } from '../../commands/add-platform.js';
import type { PlatformListing } from '../../commands/list-platforms.js';
import { html, type SafeHtml } from '../../lib/html.js';
import type { FieldProblem } from '../../lib/errors.js';
import { type AdminChrome, adminPage, csrfInput } from './admin-layout.js';
import { lti13ToolUrlFields } from './lti13-tool-urls.js';

export type PlatformFormValues = Partial<Record<PlatformField, string>>;

interface FieldSpec {
  field: PlatformField;
  label: string;
  type: 'text' | 'url';
  required: boolean;
  hint: string;
  maxlength: number;
}

const FIELDS: FieldSpec[] = [
  { field: 'name', label: 'Name (optional)', type: 'text', required: false, hint: 'For your records, such as "Moodle (main site)".', maxlength: 200 },
  { field: 'issuer', label: 'Issuer (platform ID)', type: 'url', required: true, hint: 'Exactly as the LMS shows it, such as https://canvas.instructure.com.', maxlength: 2000 },
  { field: 'clientId', label: 'Client ID', type: 'text', required: true, hint: 'The ID the LMS gave this tool when you added it there.', maxlength: 500 },
  { field: 'authLoginUrl', label: 'Authentication request URL (OIDC)', type: 'url', required: true, hint: 'Where the tool sends the browser to finish a login.', maxlength: 2000 },
  { field: 'tokenUrl', label: 'Access token URL', type: 'url', required: true, hint: 'Where the tool asks for tokens to send grades and read rosters.', maxlength: 2000 },
  { field: 'jwksUrl', label: 'Public keyset URL (JWKS)', type: 'url', required: true, hint: "The LMS's public keys, for checking its launches.", maxlength: 2000 },
  { field: 'tokenAudience', label: 'Access token audience (optional)', type: 'text', required: false, hint: 'Only if the LMS asks for one (Brightspace does); otherwise the access token URL is used.', maxlength: 500 },
  { field: 'deployment', label: 'Deployment ID (optional)', type: 'text', required: false, hint: 'The LMS shows it once the tool is deployed; more can be added later.', maxlength: 255 },
];

function fieldInput(spec: FieldSpec, value: string, problem: FieldProblem | undefined): SafeHtml {
  const { field } = spec;
  const describedBy = problem ? `${field}-error ${field}-hint` : `${field}-hint`;
  return html`<div>
<label for="${field}">${spec.label}</label>
<input type="${spec.type}" id="${field}" name="${field}" value="${value}"${spec.required ? html` required` : null} maxlength="${spec.maxlength}" autocomplete="off" spellcheck="false" aria-describedby="${describedBy}"${problem ? html` aria-invalid="true"` : null}>
${problem ? html`<p class="error-message" id="${field}-error">${problem.message}</p>` : null}
<p class="muted hint" id="${field}-hint">${spec.hint}</p>
</div>`;
}

export function newPlatformPage(options: {
  instanceName: string;
  admin: AdminChrome;
  origin: string;
  values?: PlatformFormValues;
  error?: string;
  problems?: FieldProblem[];
}): string {
  const problems = options.problems ?? [];
  return adminPage({
    title: 'Register a platform',
    instanceName: options.instanceName,
    admin: options.admin,
    current: 'platforms',
    body: html`<h1>Register a platform</h1>
${options.error ? html`<p class="notice bad" role="alert" id="form-error">${options.error}</p>` : null}
<p>First add this tool in the LMS with the addresses below; the LMS then shows the values this form asks for.</p>
<details>
<summary>This tool's addresses</summary>
${lti13ToolUrlFields(options.origin, 'tool')}
</details>
<form method="post" action="/admin/platforms" class="stack">
${csrfInput(options.admin.csrf)}
${FIELDS.map((spec) => fieldInput(spec, options.values?.[spec.field] ?? '', problems.find((p) => p.field === spec.field)))}
<div class="actions"><button type="submit">Register platform</button> <a href="/admin/platforms">Cancel</a></div>
</form>`,
  });
}

export function platformCreatedPage(options: { instanceName: string; admin: AdminChrome; platform: PlatformListing; origin: string }): string {
  const { platform } = options;
  return adminPage({
    title: 'Platform registered',
    instanceName: options.instanceName,
    admin: options.admin,
    current: 'platforms',
    body: html`<h1>Platform registered</h1>
<p class="notice" role="status">The platform <code>${platform.name ?? platform.issuer}</code> (client ID <code>${platform.clientId}</code>) is registered.${
      platform.deployments.length === 0 ? ' Add its deployment ID on the Platforms page before the first launch.' : null
    }</p>
<p>If the LMS does not have them yet, enter these addresses there:</p>
${lti13ToolUrlFields(options.origin, 'tool')}
<p><a href="/admin/platforms">Back to platforms</a></p>`,
  });
}
