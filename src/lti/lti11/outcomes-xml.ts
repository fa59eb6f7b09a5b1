/**
 * LTI 1.1 Basic Outcomes messages (IMS POX): the request envelopes the tool sends and the
 * parsing of the LMS's answer. Pure: no I/O.
 */
import { XMLValidator } from 'fast-xml-parser';
import { XML_ATTR as ATTR, type XmlElement, hasXmlDeclarations, isXmlElement as isElement, localName, safeXmlParser as parser, xmlText } from '../../lib/safe-xml.js';
import { LTI11_OUTCOMES } from '../constants.js';
import { escapeXml } from './cartridge-link.js';
import { OutcomeXmlError } from './outcome-errors.js';

export { OutcomeXmlError, type OutcomeXmlErrorCode } from './outcome-errors.js';

export type OutcomeOperation = 'replaceResult' | 'readResult' | 'deleteResult';

/** The parts of an imsx_POXEnvelopeResponse the tool acts on or shows. */
export interface OutcomeResponse {
  /** Lowercased: `success`, `processing`, `failure` or `unsupported`. */
  codeMajor: string;
  /** Lowercased: `status`, `warning` or `error`. */
  severity: string | null;
  description: string | null;
  messageRefIdentifier: string | null;
  /** imsx_operationRefIdentifier, else read from the body's `…Response` element. */
  operation: string | null;
  /** readResult's score; null when the LMS holds none (or for other operations). */
  score: number | null;
}

/** Digits to keep: LMS gradebooks store a handful of decimals, and some refuse more. */
const SCORE_DECIMALS = 4;
/** Sums of floating-point fractions can land a hair outside 0..1 (1.0000000000000002). */
const SCORE_TOLERANCE = 1e-9;

/**
 * The score as LMSs parse it: a plain decimal in 0..1, at most four decimals, no exponent
 * (String(1e-7) is "1e-7", which Moodle and Blackboard refuse) and no trailing zeros.
 */
export function formatScore(score: number): string {
  if (!Number.isFinite(score) || score < -SCORE_TOLERANCE || score > 1 + SCORE_TOLERANCE) {
    throw new OutcomeXmlError('bad_score', `A Basic Outcomes score must be a number from 0 to 1; got ${String(score)}.`);
  }
  const clamped = Math.min(1, Math.max(0, score));
  // toFixed never uses exponent notation below 1e21; trimming zeros keeps "0.5", "1", "0".
  const fixed = clamped.toFixed(SCORE_DECIMALS).replace(/\.?0+$/, '');
  return fixed === '' || fixed === '-0' ? '0' : fixed;
}

function envelope(messageId: string, body: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<imsx_POXEnvelopeRequest xmlns="${LTI11_OUTCOMES.namespace}">
  <imsx_POXHeader>
    <imsx_POXRequestHeaderInfo>
      <imsx_version>${LTI11_OUTCOMES.version}</imsx_version>
      <imsx_messageIdentifier>${escapeXml(messageId)}</imsx_messageIdentifier>
    </imsx_POXRequestHeaderInfo>
  </imsx_POXHeader>
  <imsx_POXBody>
${body}
  </imsx_POXBody>
</imsx_POXEnvelopeRequest>
`;
}

function sourcedGuid(sourcedid: string): string {
  return `      <sourcedGUID>
        <sourcedId>${escapeXml(sourcedid)}</sourcedId>
      </sourcedGUID>`;
}

/** replaceResult: set the student's grade for the launch's gradebook column to `score0to1`. */
export function replaceResultRequest(sourcedid: string, score0to1: number, messageId: string): string {
  const score = formatScore(score0to1);
  return envelope(
    messageId,
    `    <replaceResultRequest>
      <resultRecord>
${sourcedGuid(sourcedid)}
        <result>
          <resultScore>
            <language>en</language>
            <textString>${score}</textString>
          </resultScore>
        </result>
      </resultRecord>
    </replaceResultRequest>`,
  );
}

function recordOnly(operation: 'readResult' | 'deleteResult', sourcedid: string, messageId: string): string {
  return envelope(
    messageId,
    `    <${operation}Request>
      <resultRecord>
${sourcedGuid(sourcedid)}
      </resultRecord>
    </${operation}Request>`,
  );
}

export function readResultRequest(sourcedid: string, messageId: string): string {
  return recordOnly('readResult', sourcedid, messageId);
}

export function deleteResultRequest(sourcedid: string, messageId: string): string {
  return recordOnly('deleteResult', sourcedid, messageId);
}

// ---------------------------------------------------------------------------------------
// Parsing the LMS's answer.

/** Child elements in document order of their names, by local name: LMSs differ in prefixes. */
function children(element: XmlElement, name?: string): Array<{ name: string; element: XmlElement }> {
  const out: Array<{ name: string; element: XmlElement }> = [];
  for (const [key, value] of Object.entries(element)) {
    if (key.startsWith(ATTR) || key.startsWith('#') || !Array.isArray(value)) continue;
    const local = localName(key);
    if (name !== undefined && local !== name) continue;
    for (const child of value) if (isElement(child)) out.push({ name: local, element: child });
  }
  return out;
}

/** Depth-first search: a statusInfo one wrapper deeper or shallower than the spec still counts. */
function descendant(element: XmlElement, name: string): XmlElement | undefined {
  for (const child of children(element)) {
    if (child.name === name) return child.element;
    const found = descendant(child.element, name);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** Text and CDATA of an element, trimmed; null when empty. CDATA is taken verbatim. */
function textOf(element: XmlElement | undefined): string | null {
  if (element === undefined) return null;
  const text = xmlText(element);
  return text === '' ? null : text;
}

const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

function parseScore(text: string | null): number | null {
  if (text === null || !DECIMAL.test(text)) return null;
  const value = Number(text);
  return Number.isFinite(value) ? value : null;
}

/** The `xxx` of the first `xxxResponse` element in imsx_POXBody. */
function operationFromBody(root: XmlElement): string | null {
  const body = children(root, 'imsx_POXBody')[0];
  if (body === undefined) return null;
  for (const child of children(body.element)) {
    if (child.name.endsWith('Response') && child.name.length > 'Response'.length) return child.name.slice(0, -'Response'.length);
  }
  return null;
}

/**
 * Reads an imsx_POXEnvelopeResponse. Throws OutcomeXmlError when the text is not XML, carries
 * a DOCTYPE or ENTITY declaration (refused outright: POX never needs one, and an LMS sending
 * one is broken or hostile), or has no imsx_codeMajor.
 */
export function parseOutcomeResponse(xml: string): OutcomeResponse {
  const text = xml.replace(/^\uFEFF/, '');
  if (hasXmlDeclarations(text)) {
    throw new OutcomeXmlError('doctype', 'The LMS answer contains a <!DOCTYPE> or <!ENTITY> declaration, which is refused for safety.');
  }
  if (text.trim() === '') throw new OutcomeXmlError('not_xml', 'The LMS answer is empty.');
  const validity = XMLValidator.validate(text);
  if (validity !== true) {
    throw new OutcomeXmlError('not_xml', `The LMS answer is not well-formed XML (line ${validity.err.line}: ${validity.err.msg}).`);
  }
  let document: unknown;
  try {
    document = parser.parse(text);
  } catch (error) {
    throw new OutcomeXmlError('not_xml', 'The LMS answer could not be read as XML.', { cause: error });
  }
  const root = isElement(document) ? children(document, 'imsx_POXEnvelopeResponse')[0]?.element : undefined;
  if (root === undefined) {
    throw new OutcomeXmlError('not_outcome_response', 'The LMS answer is XML but not an imsx_POXEnvelopeResponse.');
  }
  const header = children(root, 'imsx_POXHeader')[0]?.element;
  const status = header === undefined ? undefined : descendant(header, 'imsx_statusInfo');
  const codeMajor = status === undefined ? null : textOf(descendant(status, 'imsx_codeMajor'));
  if (status === undefined || codeMajor === null) {
    throw new OutcomeXmlError('not_outcome_response', 'The LMS answer has no imsx_codeMajor, so whether it accepted the request is unknown.');
  }
  const readResponse = children(root, 'imsx_POXBody')[0]?.element;
  const readResult = readResponse === undefined ? undefined : children(readResponse, 'readResultResponse')[0]?.element;
  const scoreText = readResult === undefined ? null : textOf(descendant(readResult, 'textString'));
  return {
    codeMajor: codeMajor.toLowerCase(),
    severity: textOf(descendant(status, 'imsx_severity'))?.toLowerCase() ?? null,
    description: textOf(descendant(status, 'imsx_description')),
    messageRefIdentifier: textOf(descendant(status, 'imsx_messageRefIdentifier')),
    operation: textOf(descendant(status, 'imsx_operationRefIdentifier')) ?? operationFromBody(root),
    score: parseScore(scoreText),
  };
}
