import { DEMO_RESOURCE_LINK, DEMO_STUDENTS, fullName } from '../../commands/sign-demo-launch.js';
import { html, type SafeHtml } from '../../lib/html.js';
import { page } from './layout.js';

export interface HomePageOptions {
  instanceName: string;
  /** The public origin of this tool, for the URLs an LMS admin copies. */
  origin: string;
  demo: boolean;
}

function demoSection(): SafeHtml {
  return html`<section class="demo-section" aria-labelledby="demo-heading" data-testid="demo-section">
<h2 id="demo-heading">Try it: demo course</h2>
<p>A small LMS built into this server has a course with one activity, “${DEMO_RESOURCE_LINK.title}”. Open it as its instructor or as one of its students to see what each of them gets.</p>
<form method="post" action="/demo/launch">
<input type="hidden" name="as" value="instructor">
<button type="submit">Open the sample exam as the instructor</button>
</form>
<form method="post" action="/demo/launch">
<input type="hidden" name="as" value="student">
<label for="demo-student">Demo student</label>
<select id="demo-student" name="student">
${DEMO_STUDENTS.map((s) => html`<option value="${s.id}">${fullName(s)}</option>`)}
</select>
<button type="submit">Open as a student</button>
</form>
<p class="muted">About the demo: it signs LTI launches with its own consumer (key <code>demo-lms</code>), whose secret never leaves this server, so anyone who can reach this page can launch as these demo people. Their work is stored like any other. The demo is always off in production (<code>NODE_ENV=production</code>) and can be turned off with <code>DEMO=0</code>.</p>
</section>`;
}

export function homePage(options: HomePageOptions): string {
  const launchUrl = `${options.origin}/lti/launch`;
  const configUrl = `${options.origin}/lti/config.xml`;
  return page({
    title: 'Welcome',
    instanceName: options.instanceName,
    head: options.demo ? html`<link rel="stylesheet" href="/static/demo-lms.css">` : undefined,
    body: html`<h1>Exams in your LMS</h1>
<p>This tool runs SCORM exams, starting with Numbas, inside any learning management system that speaks LTI (Moodle, Canvas, Blackboard, Brightspace and others). The LMS opens an exam with an LTI launch; the tool knows who the person is and whether they teach or take the course, and no separate accounts are needed.</p>
<p><strong>Administrators</strong> register each LMS as a consumer in the <a href="/admin">admin area</a> and give its key and secret to the LMS. <strong>Instructors</strong> add the tool to a course as an external tool and choose the exam their students will take. <strong>Students</strong> open the activity from their course page and sit the exam there.</p>
<h2>Connecting an LMS (LTI 1.1)</h2>
<table>
<tbody>
<tr><th scope="row">Launch URL</th><td><code data-testid="launch-url">${launchUrl}</code></td></tr>
<tr><th scope="row">Configuration URL</th><td><code data-testid="config-url">${configUrl}</code></td></tr>
</tbody>
</table>
<p>The consumer key and secret come from the <a href="/admin">admin area</a>.</p>
${options.demo ? demoSection() : null}`,
  });
}
