/** The stylesheet of the server-rendered pages (admin, demo LMS, errors). Small on purpose. */
export const SITE_CSS = `
:root { color-scheme: light; --fg: #1b1f24; --muted: #57606a; --accent: #0b57d0; --bg: #fff; --line: #d0d7de; --bad: #b3261e; --good: #146c2e; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg); }
main { max-width: 60rem; margin: 0 auto; padding: 1.5rem; }
footer { max-width: 60rem; margin: 0 auto; padding: 0 1.5rem 1.5rem; color: var(--muted); font-size: .875rem; }
h1 { font-size: 1.6rem; margin: .5rem 0 1rem; }
h2 { font-size: 1.25rem; margin: 1.5rem 0 .5rem; }
a { color: var(--accent); }
a:focus-visible, button:focus-visible, input:focus-visible, select:focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
.muted { color: var(--muted); }
.error-message { color: var(--bad); font-weight: 600; }
.notice { padding: .75rem 1rem; border-left: 4px solid var(--good); background: #eef7f0; }
.notice.bad { border-color: var(--bad); background: #fbeeed; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; }
th, td { text-align: left; padding: .4rem .6rem; border-bottom: 1px solid var(--line); vertical-align: top; }
code, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: .9em; word-break: break-all; }
form.stack { display: grid; gap: .75rem; max-width: 30rem; }
label { font-weight: 600; display: block; margin-bottom: .2rem; }
input[type=text], input[type=password], input[type=url], select { width: 100%; padding: .45rem .6rem; border: 1px solid var(--line); border-radius: 4px; font: inherit; }
button, .button { display: inline-block; padding: .45rem 1rem; border-radius: 4px; border: 1px solid var(--accent); background: var(--accent); color: #fff; font: inherit; cursor: pointer; text-decoration: none; }
button.secondary, .button.secondary { background: #fff; color: var(--accent); }
button.danger { background: var(--bad); border-color: var(--bad); }
.inline { display: inline; }
nav.top { display: flex; gap: 1rem; align-items: center; border-bottom: 1px solid var(--line); padding-bottom: .5rem; }
nav.top .spacer { flex: 1; }
iframe.lms-frame { width: 100%; height: 32rem; border: 1px solid var(--line); border-radius: 4px; }
.visually-hidden { position: absolute; width: 1px; height: 1px; margin: -1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; border: 0; }
.actions { display: flex; flex-wrap: wrap; gap: .5rem; align-items: center; }
.hint { margin: .2rem 0 0; font-size: .875rem; }
.status-disabled { color: var(--bad); }
input[readonly] { background: #f6f8fa; }
input.mono { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; }
form.confirm { margin-top: 1rem; }
`;
