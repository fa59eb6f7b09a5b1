import { DEMO_COURSE, DEMO_RESOURCE_LINK, type DemoLaunchAs, type DemoPerson, fullName } from '../../commands/sign-demo-launch.js';
import { html, type SafeHtml } from '../../lib/html.js';
import { page } from './layout.js';

const HEAD = html`<link rel="stylesheet" href="/static/demo-lms.css">`;

function lmsChrome(current: string, body: SafeHtml): SafeHtml {
  return html`<header class="lms-bar"><span class="lms-brand">Demo LMS</span><span>·</span><span>${DEMO_COURSE.title}</span></header>
<nav class="lms-breadcrumb" aria-label="Breadcrumb"><ol>
<li><a href="/">Home</a></li>
<li>${DEMO_COURSE.label}</li>
<li aria-current="page">${current}</li>
</ol></nav>
${body}`;
}

/** Hidden fields that repeat a choice, so "Launch again" signs a fresh launch for the same person. */
function whoFields(who: DemoLaunchAs): SafeHtml {
  return html`<input type="hidden" name="as" value="${who.as}">${who.as === 'student' ? html`<input type="hidden" name="student" value="${who.studentId}">` : null}`;
}

export interface DemoCoursePageOptions {
  instanceName: string;
  who: DemoLaunchAs;
  person: DemoPerson;
  /** The tool's launch URL: the form posts exactly here, the URL the params were signed for. */
  launchUrl: string;
  params: ReadonlyArray<readonly [string, string]>;
}

/**
 * The demo LMS's course page: the tool in an iframe, launched by a hidden signed form that
 * /static/demo-launch.js submits into the frame on load.
 */
export function demoCoursePage(options: DemoCoursePageOptions): string {
  const roleName = options.who.as === 'instructor' ? 'Instructor' : 'Student';
  const body = lmsChrome(
    DEMO_RESOURCE_LINK.title,
    html`<div class="lms-layout">
<aside class="lms-sidebar" aria-label="Course navigation">
<h2>${DEMO_COURSE.label}</h2>
<ul>
<li>Announcements</li>
<li>Syllabus</li>
<li aria-current="page">${DEMO_RESOURCE_LINK.title}</li>
<li>Grades</li>
</ul>
<p class="muted" data-testid="lms-user">Signed in as ${fullName(options.person)} (${roleName})</p>
<p><a href="/">Switch person</a></p>
</aside>
<section class="lms-content">
<h1>${DEMO_RESOURCE_LINK.title}</h1>
<iframe name="tool-frame" class="lms-frame" title="${DEMO_RESOURCE_LINK.title} (tool)" src="about:blank" allow="fullscreen"></iframe>
<form id="lti-launch-form" method="post" action="${options.launchUrl}" target="tool-frame" hidden>
${options.params.map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}">\n`)}</form>
<form class="lms-actions" method="post" action="/demo/launch">
${whoFields(options.who)}
<button type="submit" class="secondary">Launch again</button>
<span class="muted">Each launch is signed once; launching again signs a new one.</span>
</form>
</section>
</div>
<script src="/static/demo-launch.js" defer></script>`,
  );
  return page({ title: `Demo LMS · ${DEMO_COURSE.title}`, instanceName: options.instanceName, head: HEAD, body });
}

export interface DemoReturnPageOptions {
  instanceName: string;
  message: string | null;
  errorMessage: string | null;
}

/** Where the tool sends the browser back to (launch_presentation_return_url). */
export function demoReturnPage(options: DemoReturnPageOptions): string {
  const body = lmsChrome(
    'Back from the tool',
    html`<h1>You are back in the demo LMS</h1>
${options.errorMessage !== null ? html`<p class="notice bad" role="alert" data-testid="lti-errormsg">The tool reported a problem: ${options.errorMessage}</p>` : null}
${options.message !== null ? html`<p class="notice" role="status" data-testid="lti-msg">${options.message}</p>` : null}
<p><a href="/">Back to the demo course</a></p>`,
  );
  return page({ title: `Demo LMS · ${DEMO_COURSE.title}`, instanceName: options.instanceName, head: HEAD, body });
}
