/**
 * The fake LMS's own POX reading and writing (see fake-lms-outcomes.ts): a few regular
 * expressions, deliberately not the tool's parser, so a bug in one is not mirrored in the other.
 */
export const NAMESPACE = 'http://www.imsglobal.org/services/ltiv1p1/xsd/imsoms_v1p0';
/** What a strict gradebook accepts: a plain decimal from 0 to 1, no sign and no exponent. */
export const SCORE = /^(?:0(?:\.\d+)?|1(?:\.0+)?|\.\d+)$/;

function xmlEscape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function xmlUnescape(text: string): string {
  return text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&#(\d+);/g, (_, d: string) => String.fromCodePoint(Number(d)))
    .replace(/&amp;/g, '&');
}

export function element(xml: string, name: string): string | null {
  const match = new RegExp(`<${name}>([\\s\\S]*?)</${name}>`).exec(xml);
  return match?.[1] === undefined ? null : xmlUnescape(match[1].trim());
}

export interface Answer {
  codeMajor: 'success' | 'failure' | 'unsupported';
  description: string;
  operation: string | null;
  messageRef: string | null;
  /** For readResult: the score text, '' when none. */
  readScore?: string;
}

let messageCounter = 0;

export function responseXml(answer: Answer): string {
  const op = answer.operation;
  let body = '';
  if (op !== null && answer.codeMajor === 'success') {
    body =
      answer.readScore !== undefined
        ? `<${op}Response><result><resultScore><language>en</language><textString>${answer.readScore}</textString></resultScore></result></${op}Response>`
        : `<${op}Response/>`;
  }
  return `<?xml version="1.0" encoding="UTF-8"?>
<imsx_POXEnvelopeResponse xmlns="${NAMESPACE}">
  <imsx_POXHeader><imsx_POXResponseHeaderInfo>
    <imsx_version>V1.0</imsx_version>
    <imsx_messageIdentifier>fake-lms-${++messageCounter}</imsx_messageIdentifier>
    <imsx_statusInfo>
      <imsx_codeMajor>${answer.codeMajor}</imsx_codeMajor>
      <imsx_severity>${answer.codeMajor === 'success' ? 'status' : 'error'}</imsx_severity>
      <imsx_description>${xmlEscape(answer.description)}</imsx_description>
      <imsx_messageRefIdentifier>${xmlEscape(answer.messageRef ?? '')}</imsx_messageRefIdentifier>
      <imsx_operationRefIdentifier>${xmlEscape(op ?? '')}</imsx_operationRefIdentifier>
    </imsx_statusInfo>
  </imsx_POXResponseHeaderInfo></imsx_POXHeader>
  <imsx_POXBody>${body}</imsx_POXBody>
</imsx_POXEnvelopeResponse>`;
}

