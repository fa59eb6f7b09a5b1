import { type LaunchTarget, resolveLaunchHref } from './launch-href.js';
import {
  type XmlElement,
  attribute,
  attributeByLocalName,
  childElements,
  firstChild,
  namespaceDeclarations,
  parseManifestXml,
  textContent,
} from './manifest-xml.js';
import { PackageError } from './package-error.js';

export type ScormVersion = '1.2' | '2004';

/** What we need from an imsmanifest.xml to offer and launch the package. */
export interface ScormManifest {
  scormVersion: ScormVersion;
  /** `<schemaversion>` as written, or null when the manifest has none. */
  schemaVersion: string | null;
  title: string | null;
  launch: LaunchTarget;
}

const ADLCP_2004 = 'http://www.adlnet.org/xsd/adlcp_v1p3';
const ADLCP_12 = 'http://www.adlnet.org/xsd/adlcp_rootv1p2';

export function readScormManifest(text: string): ScormManifest {
  const manifest = parseManifestXml(text);
  const { scormVersion, schemaVersion } = detectVersion(manifest);
  const organization = pickOrganization(manifest);
  const items = flattenItems(organization);
  const title = textOf(firstChild(organization, 'title')) ?? items.map((item) => textOf(firstChild(item, 'title'))).find(Boolean) ?? null;
  return { scormVersion, schemaVersion, title, launch: findLaunch(manifest, items) };
}

function textOf(element: XmlElement | undefined): string | null {
  const text = element === undefined ? '' : textContent(element);
  return text === '' ? null : text;
}

function detectVersion(manifest: XmlElement): { scormVersion: ScormVersion; schemaVersion: string | null } {
  const metadata = firstChild(manifest, 'metadata');
  const schemaVersion = textOf(metadata === undefined ? undefined : firstChild(metadata, 'schemaversion'));
  const normalised = (schemaVersion ?? '').toLowerCase().replace(/\s+/g, ' ');
  if (/^(2004 (2nd|3rd|4th) edition|cam 1\.3)$/.test(normalised)) return { scormVersion: '2004', schemaVersion };
  if (normalised === '1.2') return { scormVersion: '1.2', schemaVersion };

  // Many tools omit or mangle <schemaversion>; the adlcp namespace they bind still tells.
  const namespaces = namespaceDeclarations(manifest).map((uri) => uri.toLowerCase().replace(/\/+$/, ''));
  if (namespaces.includes(ADLCP_2004)) return { scormVersion: '2004', schemaVersion };
  if (namespaces.includes(ADLCP_12)) return { scormVersion: '1.2', schemaVersion };

  const said = schemaVersion === null ? 'does not say which SCORM version it uses' : `says its version is "${schemaVersion}"`;
  throw new PackageError(
    'unsupported_scorm',
    `The manifest ${said}. Only SCORM 1.2 and SCORM 2004 packages are supported; export the exam as one of those.`,
  );
}

function pickOrganization(manifest: XmlElement): XmlElement {
  const organizations = firstChild(manifest, 'organizations');
  const all = organizations === undefined ? [] : childElements(organizations, 'organization');
  const defaultId = organizations === undefined ? undefined : attribute(organizations, 'default')?.trim();
  // A default that names no organization is an authoring slip; the first one is what
  // every LMS we know of falls back to.
  const chosen = all.find((org) => defaultId !== undefined && attribute(org, 'identifier')?.trim() === defaultId) ?? all[0];
  if (chosen === undefined) {
    throw new PackageError('no_organization', 'The manifest has no <organization>, so there is nothing to launch.');
  }
  return chosen;
}

/** Items in document order, depth first, which is the order a learner meets them. */
function flattenItems(parent: XmlElement): XmlElement[] {
  const out: XmlElement[] = [];
  for (const item of childElements(parent, 'item')) {
    out.push(item);
    out.push(...flattenItems(item));
  }
  return out;
}

interface Resource {
  element: XmlElement;
  /** xml:base values from the manifest down to this resource. */
  bases: string[];
}

function indexResources(manifest: XmlElement): Map<string, Resource> {
  const byId = new Map<string, Resource>();
  const manifestBase = attribute(manifest, 'xml:base');
  for (const resources of childElements(manifest, 'resources')) {
    const resourcesBase = attribute(resources, 'xml:base');
    for (const element of childElements(resources, 'resource')) {
      const id = attribute(element, 'identifier')?.trim();
      if (id === undefined || byId.has(id)) continue;
      const bases = [manifestBase, resourcesBase, attribute(element, 'xml:base')].filter((b): b is string => b !== undefined);
      byId.set(id, { element, bases });
    }
  }
  return byId;
}

function findLaunch(manifest: XmlElement, items: readonly XmlElement[]): LaunchTarget {
  const resources = indexResources(manifest);
  const candidates = items.flatMap((item) => {
    const ref = attribute(item, 'identifierref')?.trim();
    const resource = ref === undefined ? undefined : resources.get(ref);
    const href = resource === undefined ? undefined : attribute(resource.element, 'href');
    if (resource === undefined || href === undefined || href.trim() === '') return [];
    const isSco = attributeByLocalName(resource.element, 'scormtype', true)?.trim().toLowerCase() === 'sco';
    return [{ item, resource, href, isSco }];
  });
  // An asset can come first (a cover page); the exam is the first SCO.
  const chosen = candidates.find((c) => c.isSco) ?? candidates[0];
  if (chosen === undefined) {
    throw new PackageError(
      'no_launch',
      'The manifest has no item that points at a resource with an href, so there is no page to launch.',
    );
  }
  const target = resolveLaunchHref(chosen.resource.bases, chosen.href, attribute(chosen.item, 'parameters'));
  if (target === null) {
    throw new PackageError(
      'no_launch',
      `The manifest launches "${chosen.href}", which is not a file inside the package. The launch page must be in the zip.`,
    );
  }
  return target;
}
