/** The tool's icon (LMS tool lists, config.xml): an exam sheet with a tick, on the accent blue. */
export const ICON_SVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64" width="64" height="64" role="img" aria-label="Exam">
<rect width="64" height="64" rx="12" fill="#0b57d0"/>
<path d="M18 10h22l8 8v36H18z" fill="#fff"/>
<path d="M40 10v8h8" fill="#c8d8f5"/>
<path d="M23 26h18M23 33h18M23 40h9" stroke="#0b57d0" stroke-width="3" stroke-linecap="round"/>
<path d="M35 44l4 4 8-9" fill="none" stroke="#146c2e" stroke-width="4" stroke-linecap="round" stroke-linejoin="round"/>
</svg>
`;
