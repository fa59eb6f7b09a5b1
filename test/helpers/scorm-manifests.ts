/** Small hand-written manifests for the SCORM package tests. */

export interface ManifestOptions {
  version?: '2004' | '1.2';
  schemaVersion?: string | null;
  href?: string;
  title?: string;
  /** Extra attributes, as XML text, for the element each is named after. */
  manifestAttrs?: string;
  resourcesAttrs?: string;
  resourceAttrs?: string;
  itemAttrs?: string;
  /** Replaces the whole <organizations> element. */
  organizations?: string;
}

const NS_2004 =
  'xmlns="http://www.imsglobal.org/xsd/imscp_v1p1" xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_v1p3"';
const NS_12 =
  'xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2" xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2"';

export function manifestXml(options: ManifestOptions = {}): string {
  const version = options.version ?? '2004';
  const schemaVersion = options.schemaVersion === undefined ? (version === '2004' ? '2004 4th Edition' : '1.2') : options.schemaVersion;
  const scormType = version === '2004' ? 'adlcp:scormType' : 'adlcp:scormtype';
  const metadata = schemaVersion === null ? '' : `<metadata><schema>ADL SCORM</schema><schemaversion>${schemaVersion}</schemaversion></metadata>`;
  const organizations =
    options.organizations ??
    `<organizations default="org"><organization identifier="org"><title>${options.title ?? 'Test exam'}</title>
       <item identifier="item" identifierref="res" ${options.itemAttrs ?? ''}><title>Item</title></item>
     </organization></organizations>`;
  return `<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="test" version="1" ${version === '2004' ? NS_2004 : NS_12} ${options.manifestAttrs ?? ''}>
  ${metadata}
  ${organizations}
  <resources ${options.resourcesAttrs ?? ''}>
    <resource identifier="res" type="webcontent" ${scormType}="sco" href="${options.href ?? 'index.html'}" ${options.resourceAttrs ?? ''}>
      <file href="index.html"/>
    </resource>
  </resources>
</manifest>`;
}
