/**
 * The IMS Common Cartridge "basic LTI link" (LTI 1.1 configuration XML) that LMSs such as
 * Moodle and Canvas read to set up the tool from one URL.
 */
export interface CartridgeLinkOptions {
  title: string;
  description: string;
  /** The public origin, such as https://exams.example.edu. */
  origin: string;
  vendorCode: string;
  vendorName: string;
}

const XML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

export function escapeXml(text: string): string {
  // Control characters other than tab and newlines are not allowed in XML 1.0 at all.
  return text.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '').replace(/[&<>"']/g, (c) => XML_ESCAPES[c] ?? c);
}

/** Elements follow the order of the IMS schema (title, description, extensions, URLs, icon, vendor). */
export function cartridgeLinkXml(options: CartridgeLinkOptions): string {
  const x = escapeXml;
  const launchUrl = `${options.origin}/lti/launch`;
  const secure = options.origin.startsWith('https://');
  const iconUrl = `${options.origin}/static/icon.svg`;
  const domain = new URL(options.origin).hostname;
  return `<?xml version="1.0" encoding="UTF-8"?>
<cartridge_basiclti_link xmlns="http://www.imsglobal.org/xsd/imslticc_v1p0"
    xmlns:blti="http://www.imsglobal.org/xsd/imsbasiclti_v1p0"
    xmlns:lticm="http://www.imsglobal.org/xsd/imslticm_v1p0"
    xmlns:lticp="http://www.imsglobal.org/xsd/imslticp_v1p0"
    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
    xsi:schemaLocation="http://www.imsglobal.org/xsd/imslticc_v1p0 http://www.imsglobal.org/xsd/lti/ltiv1p0/imslticc_v1p0.xsd http://www.imsglobal.org/xsd/imsbasiclti_v1p0 http://www.imsglobal.org/xsd/lti/ltiv1p0/imsbasiclti_v1p0.xsd http://www.imsglobal.org/xsd/imslticm_v1p0 http://www.imsglobal.org/xsd/lti/ltiv1p0/imslticm_v1p0.xsd http://www.imsglobal.org/xsd/imslticp_v1p0 http://www.imsglobal.org/xsd/lti/ltiv1p0/imslticp_v1p0.xsd">
  <blti:title>${x(options.title)}</blti:title>
  <blti:description>${x(options.description)}</blti:description>
  <blti:extensions platform="canvas.instructure.com">
    <lticm:property name="tool_id">${x(options.vendorCode)}</lticm:property>
    <lticm:property name="domain">${x(domain)}</lticm:property>
    <lticm:property name="privacy_level">public</lticm:property>
    <lticm:options name="course_navigation">
      <lticm:property name="enabled">false</lticm:property>
    </lticm:options>
  </blti:extensions>
  <blti:launch_url>${x(launchUrl)}</blti:launch_url>
${secure ? `  <blti:secure_launch_url>${x(launchUrl)}</blti:secure_launch_url>\n` : ''}  <blti:icon>${x(iconUrl)}</blti:icon>
${secure ? `  <blti:secure_icon>${x(iconUrl)}</blti:secure_icon>\n` : ''}  <blti:vendor>
    <lticp:code>${x(options.vendorCode)}</lticp:code>
    <lticp:name>${x(options.vendorName)}</lticp:name>
    <lticp:description>${x(options.description)}</lticp:description>
  </blti:vendor>
</cartridge_basiclti_link>
`;
}
