import { XMLValidator } from 'fast-xml-parser';
import { XML_ATTR as ATTR, type XmlElement, decodeXmlText, hasXmlDeclarations, isXmlElement as isElement, localName, safeXmlParser as parser, xmlText } from '../lib/safe-xml.js';
import { PackageError } from './package-error.js';

export type { XmlElement } from '../lib/safe-xml.js';

const badManifest = (detail: string): PackageError => new PackageError('bad_manifest', `The imsmanifest.xml ${detail}.`);

/** Turns the manifest's bytes into text, honouring a byte-order mark (some Windows tools write UTF-16). */
export function decodeXmlBytes(bytes: Buffer): string {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder('utf-16le').decode(bytes.subarray(2));
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder('utf-16be').decode(bytes.subarray(2));
  // Older Windows authoring tools declare Latin-1; decoding that as UTF-8 would garble titles.
  const declared = /^<\?xml[^>]*encoding\s*=\s*["']([\w-]+)["']/i.exec(bytes.subarray(0, 200).toString('latin1'))?.[1]?.toLowerCase();
  const latin = declared !== undefined && ['iso-8859-1', 'latin1', 'windows-1252', 'cp1252'].includes(declared);
  return new TextDecoder(latin ? 'windows-1252' : 'utf-8').decode(bytes).replace(/^\uFEFF/, '');
}

/** Parses the manifest text and returns its root `<manifest>` element. */
export function parseManifestXml(text: string): XmlElement {
  // Refused outright, not merely left unexpanded: a DOCTYPE is never needed in a SCORM
  // manifest, and its presence is the signature of XXE and billion-laughs attacks.
  if (hasXmlDeclarations(text)) {
    throw badManifest(
      'contains a <!DOCTYPE> or <!ENTITY> declaration, which we refuse for safety (it can be used to attack the server). Remove it and upload the package again',
    );
  }
  const validity = XMLValidator.validate(text);
  if (validity !== true) {
    throw badManifest(`is not well-formed XML (line ${validity.err.line}: ${validity.err.msg})`);
  }
  let document: XmlElement;
  try {
    document = parser.parse(text) as XmlElement;
  } catch (error) {
    throw new PackageError('bad_manifest', 'The imsmanifest.xml could not be read as XML.', { cause: error });
  }
  const root = firstChild(document, 'manifest');
  if (root === undefined) throw badManifest('does not have <manifest> as its root element');
  return root;
}

/** Child elements by local name, whatever namespace prefix the authoring tool chose. */
export function childElements(element: XmlElement, name: string): XmlElement[] {
  const out: XmlElement[] = [];
  for (const [key, value] of Object.entries(element)) {
    if (key.startsWith(ATTR) || key.startsWith('#') || localName(key) !== name || !Array.isArray(value)) continue;
    for (const child of value) if (isElement(child)) out.push(child);
  }
  return out;
}

export function firstChild(element: XmlElement, name: string): XmlElement | undefined {
  return childElements(element, name)[0];
}

/** An attribute by its exact qualified name (`identifier`, `xml:base`). */
export function attribute(element: XmlElement, qualifiedName: string): string | undefined {
  const value = element[ATTR + qualifiedName];
  return typeof value === 'string' ? decodeXmlText(value) : undefined;
}

/**
 * An attribute by local name in any namespace, optionally ignoring case: SCORM 1.2 spells
 * it `adlcp:scormtype` and 2004 `adlcp:scormType`, and tools differ in the prefix.
 */
export function attributeByLocalName(element: XmlElement, name: string, ignoreCase: boolean): string | undefined {
  const wanted = ignoreCase ? name.toLowerCase() : name;
  for (const [key, value] of Object.entries(element)) {
    if (!key.startsWith(ATTR) || typeof value !== 'string') continue;
    const local = localName(key.slice(ATTR.length));
    if ((ignoreCase ? local.toLowerCase() : local) === wanted) return decodeXmlText(value);
  }
  return undefined;
}

/** Every namespace URI declared on the element (`xmlns` and `xmlns:*`). */
export function namespaceDeclarations(element: XmlElement): string[] {
  return Object.entries(element)
    .filter(([key, value]) => (key === `${ATTR}xmlns` || key.startsWith(`${ATTR}xmlns:`)) && typeof value === 'string')
    .map(([, value]) => String(value).trim());
}

/** The element's text (CDATA included), trimmed. */
export function textContent(element: XmlElement): string {
  return xmlText(element);
}
