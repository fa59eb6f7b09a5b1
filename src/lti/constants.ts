/**
 * Every protocol identifier in one place: LTI message types, versions, role vocabularies,
 * and (for LTI 1.3) claim URIs and media types.
 */
export const LTI11 = {
  version: 'LTI-1p0',
  /** LTI 2.0 consumers send this version for basic launches too. */
  versionAlt: 'LTI-2p0',
  basicLaunch: 'basic-lti-launch-request',
} as const;

/** LIS role URN prefixes, as LTI 1.1 and LTI 1.3 send them. */
export const ROLE_PREFIXES = [
  'urn:lti:role:ims/lis/',
  'urn:lti:instrole:ims/lis/',
  'urn:lti:sysrole:ims/lis/',
  'http://purl.imsglobal.org/vocab/lis/v2/membership#',
  // Sub-roles: …/membership/Instructor#TeachingAssistant
  'http://purl.imsglobal.org/vocab/lis/v2/membership/',
  'http://purl.imsglobal.org/vocab/lis/v2/institution/person#',
  'http://purl.imsglobal.org/vocab/lis/v2/system/person#',
  'http://purl.imsglobal.org/vocab/lti/system/person#',
] as const;

export const MEDIA_TYPES = {
  ltiCartridge: 'application/xml',
  poxXml: 'application/xml',
} as const;
