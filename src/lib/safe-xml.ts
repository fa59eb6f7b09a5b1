import { XMLParser } from 'fast-xml-parser';

/**
 * The one XML parser set-up for untrusted documents (package manifests, LMS answers). Entity
 * processing stays off, so a hostile document cannot make the parser expand anything or read
 * files; the five predefined entities and character references are decoded afterwards by
 * `decodeXmlText`, which cannot recurse or reach outside the string. Callers refuse DOCTYPE and
 * ENTITY declarations outright (`hasXmlDeclarations`) with their own error.
 *
 * Shape of a parsed element: child elements under their qualified name (always arrays),
 * attributes under `@_name`, text under `#text`, CDATA under `#cdata`.
 */
export type XmlElement = { readonly [key: string]: unknown };

export const XML_ATTR = '@_';

export const safeXmlParser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: XML_ATTR,
  processEntities: false,
  htmlEntities: false,
  alwaysCreateTextNode: true,
  cdataPropName: '#cdata',
  isArray: (_name, _jpath, _isLeaf, isAttribute) => !isAttribute,
  parseTagValue: false,
  parseAttributeValue: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  trimValues: true,
});

/** A DOCTYPE or ENTITY declaration: never needed here, and the signature of XXE and billion-laughs attacks. */
export function hasXmlDeclarations(text: string): boolean {
  return /<!DOCTYPE/i.test(text) || /<!ENTITY/i.test(text);
}

export function localName(qualifiedName: string): string {
  const colon = qualifiedName.indexOf(':');
  return colon === -1 ? qualifiedName : qualifiedName.slice(colon + 1);
}

export function isXmlElement(value: unknown): value is XmlElement {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const PREDEFINED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/** Decodes the predefined entities and character references; anything else stays literal. */
export function decodeXmlText(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-zA-Z][\w.-]*);/g, (whole, name: string) => {
    if (name.startsWith('#')) {
      const code = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
      return Number.isInteger(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return PREDEFINED[name] ?? whole;
  });
}

/** The element's text (decoded) and CDATA (verbatim), trimmed. */
export function xmlText(element: XmlElement): string {
  const text = element['#text'];
  const plain = typeof text === 'string' ? decodeXmlText(text) : '';
  const cdata = element['#cdata'];
  // With alwaysCreateTextNode the parser wraps each CDATA section as { '#text': ... }.
  const literal = Array.isArray(cdata)
    ? cdata.map((part: unknown) => (typeof part === 'string' ? part : isXmlElement(part) && typeof part['#text'] === 'string' ? part['#text'] : '')).join('')
    : '';
  return (plain + literal).trim();
}
