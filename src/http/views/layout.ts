import { html, type SafeHtml } from '../../lib/html.js';

/** The frame of every server-rendered page: one stylesheet, no scripts unless a page adds its own. */
export function page(options: { title: string; body: SafeHtml; instanceName?: string; head?: SafeHtml }): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${options.title} · ${options.instanceName ?? 'lti-exam-provider'}</title>
<link rel="stylesheet" href="/static/site.css">
${options.head}
</head>
<body>
<main id="main">
${options.body}
</main>
<footer><p>${options.instanceName ?? 'lti-exam-provider'}</p></footer>
</body>
</html>`.toString();
}
