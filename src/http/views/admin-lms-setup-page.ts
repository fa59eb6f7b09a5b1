import { html } from '../../lib/html.js';
import { type AdminChrome, adminPage } from './admin-layout.js';
import { lti13ToolUrlFields } from './lti13-tool-urls.js';

/**
 * Where each LMS asks for the tool's details. Menu names follow the LMSs' own wording at
 * the time of writing; they move between versions, so the text stays short and says what
 * to look for rather than promising exact clicks.
 */
export function lmsSetupPage(options: { instanceName: string; admin: AdminChrome; origin: string }): string {
  const launchUrl = `${options.origin}/lti/launch`;
  const configUrl = `${options.origin}/lti/config.xml`;
  const domain = new URL(options.origin).host;
  return adminPage({
    title: 'Connect an LMS',
    instanceName: options.instanceName,
    admin: options.admin,
    current: 'lms-setup',
    body: html`<h1>Connect an LMS</h1>
<p>This tool speaks LTI 1.1 and LTI 1.3. For LTI 1.3, see <a href="#lti13">LTI 1.3</a> below.</p>
<p>For LTI 1.1, each LMS needs a consumer key and secret from <a href="/admin/consumers/new">Add a consumer</a> (one consumer per LMS), and one of the addresses below.</p>
<div class="stack">
<div>
<label for="launch-url">Launch URL</label>
<input type="text" id="launch-url" class="mono" readonly value="${launchUrl}">
</div>
<div>
<label for="config-url">Configuration URL (XML)</label>
<input type="text" id="config-url" class="mono" readonly value="${configUrl}">
</div>
</div>
<p class="muted">Privacy: the tool uses the name and email the LMS sends to show instructors who took an exam. Allow the LMS to send them.</p>

<h2>Moodle</h2>
<ol>
<li>Go to <em>Site administration › Plugins › Activity modules › External tool › Manage tools</em>.</li>
<li>Paste the configuration URL <code>${configUrl}</code> into <em>Tool URL</em> and add it as a legacy (LTI 1.1) tool.</li>
<li>Enter the consumer key and secret when asked, then activate the tool.</li>
<li>Teachers then add an <em>External tool</em> activity to a course and pick this tool.</li>
</ol>

<h2>Canvas</h2>
<ol>
<li>In the account (or a course), open <em>Settings › Apps › View App Configurations › + App</em>.</li>
<li>Choose the configuration type <em>By URL</em>, give it a name, and enter the consumer key and shared secret.</li>
<li>Paste the configuration URL <code>${configUrl}</code> and submit.</li>
<li>Instructors then add the tool to a module as an <em>External Tool</em> item.</li>
</ol>

<h2>Blackboard Learn</h2>
<ol>
<li>Go to <em>Administrator Panel › Integrations › LTI Tool Providers › Register Provider Domain</em>.</li>
<li>Provider domain: <code>${domain}</code>; status: approved; choose to set the key and secret globally and enter the consumer key and secret.</li>
<li>Allow the tool to receive the user's name and email, then submit.</li>
<li>In a course, instructors add a web link (or LTI link) to the launch URL <code>${launchUrl}</code>, marked as a link to a tool provider.</li>
</ol>

<h2>Brightspace</h2>
<ol>
<li>Go to <em>Admin Tools › External Learning Tools</em> and create a new link (or a remote plugin that uses one) with the launch URL <code>${launchUrl}</code>.</li>
<li>Choose to sign messages with the link's key and secret, and enter the consumer key and secret.</li>
<li>Allow sending the user's name and email, and make the link available to the org units that need it.</li>
<li>Instructors then add the link to course content as an external learning tool.</li>
</ol>

<h2>Any other LMS</h2>
<p>Add an LTI 1.1 external tool with the launch URL <code>${launchUrl}</code> (or the configuration URL, if the LMS accepts one), signed with the consumer key and secret.</p>

<h2 id="lti13">LTI 1.3</h2>
<p>An LMS that supports LTI dynamic registration can register the tool by itself: <a href="/admin/platforms">issue a one-time registration URL</a> on the Platforms page and paste it into the LMS.</p>
<p>Otherwise, add an LTI 1.3 tool in the LMS with these addresses, then <a href="/admin/platforms/new">register the platform</a> here with the issuer, client ID, deployment ID and endpoints the LMS shows.</p>
${lti13ToolUrlFields(options.origin, 'lti13')}`,
  });
}
