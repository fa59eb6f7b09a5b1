/** /static/demo-lms.css: the look of the demo LMS pages, on top of site.css. */
export const DEMO_LMS_CSS = `
.lms-bar { display: flex; gap: .75rem; align-items: baseline; background: #24292f; color: #fff; padding: .6rem 1rem; border-radius: 4px; }
.lms-bar a { color: #fff; }
.lms-bar .lms-brand { font-weight: 700; }
.lms-breadcrumb ol { list-style: none; display: flex; flex-wrap: wrap; gap: .4rem; padding: 0; margin: .75rem 0; color: var(--muted); font-size: .9rem; }
.lms-breadcrumb li + li::before { content: "›"; margin-right: .4rem; }
.lms-layout { display: grid; grid-template-columns: 13rem 1fr; gap: 1.25rem; align-items: start; }
.lms-sidebar { border: 1px solid var(--line); border-radius: 4px; padding: .75rem 1rem; font-size: .95rem; }
.lms-sidebar h2 { font-size: 1rem; margin: 0 0 .5rem; }
.lms-sidebar ul { list-style: none; padding: 0; margin: 0 0 1rem; }
.lms-sidebar li { padding: .2rem 0; }
.lms-sidebar li[aria-current] { font-weight: 700; }
.lms-content h1 { margin-top: 0; }
.lms-actions { display: flex; gap: .75rem; align-items: center; margin-top: .75rem; }
.demo-section { border: 1px solid var(--line); border-radius: 4px; padding: 1rem 1.25rem; margin: 1.5rem 0; }
.demo-section form { margin: .75rem 0; }
.demo-section select { width: auto; min-width: 14rem; margin-right: .5rem; }
@media (max-width: 40rem) { .lms-layout { grid-template-columns: 1fr; } }
`;
