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

/** LTI 1.1 Basic Outcomes (POX): the envelope namespace and version every request carries. */
export const LTI11_OUTCOMES = {
  namespace: 'http://www.imsglobal.org/services/ltiv1p1/xsd/imsoms_v1p0',
  version: 'V1.0',
  /** Blackboard-style launches name the outcomes URL here when lis_outcome_service_url is absent. */
  extOutcomeUrlParam: 'ext_ims_lis_basic_outcome_url',
} as const;

/** LTI 1.3 core messages: the version, message types and the claim names of an id_token. */
export const LTI13 = {
  version: '1.3.0',
  messageTypes: {
    resourceLink: 'LtiResourceLinkRequest',
    deepLinkingRequest: 'LtiDeepLinkingRequest',
    submissionReview: 'LtiSubmissionReviewRequest',
  },
  claims: {
    messageType: 'https://purl.imsglobal.org/spec/lti/claim/message_type',
    version: 'https://purl.imsglobal.org/spec/lti/claim/version',
    deploymentId: 'https://purl.imsglobal.org/spec/lti/claim/deployment_id',
    targetLinkUri: 'https://purl.imsglobal.org/spec/lti/claim/target_link_uri',
    resourceLink: 'https://purl.imsglobal.org/spec/lti/claim/resource_link',
    roles: 'https://purl.imsglobal.org/spec/lti/claim/roles',
    context: 'https://purl.imsglobal.org/spec/lti/claim/context',
    toolPlatform: 'https://purl.imsglobal.org/spec/lti/claim/tool_platform',
    custom: 'https://purl.imsglobal.org/spec/lti/claim/custom',
    launchPresentation: 'https://purl.imsglobal.org/spec/lti/claim/launch_presentation',
    lis: 'https://purl.imsglobal.org/spec/lti/claim/lis',
    /** Moodle puts the user name here (user_username). */
    ext: 'https://purl.imsglobal.org/spec/lti/claim/ext',
    forUser: 'https://purl.imsglobal.org/spec/lti/claim/for_user',
    lti1p1: 'https://purl.imsglobal.org/spec/lti/claim/lti1p1',
    ags: 'https://purl.imsglobal.org/spec/lti-ags/claim/endpoint',
    nrps: 'https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice',
    deepLinkingSettings: 'https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings',
  },
  /** The OpenID Connect authentication request the tool answers a login initiation with. */
  authRequest: {
    scope: 'openid',
    responseType: 'id_token',
    responseMode: 'form_post',
    prompt: 'none',
  },
} as const;

/**
 * LTI Advantage services the tool calls (AGS, NRPS), its deep linking answer and dynamic
 * registration: OAuth scopes, media types and the claim names these exchanges carry.
 */
export const LTI13_SERVICES = {
  scopes: {
    lineItem: 'https://purl.imsglobal.org/spec/lti-ags/scope/lineitem',
    lineItemReadOnly: 'https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly',
    resultReadOnly: 'https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly',
    score: 'https://purl.imsglobal.org/spec/lti-ags/scope/score',
    membershipReadOnly: 'https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly',
  },
  mediaTypes: {
    lineItemContainer: 'application/vnd.ims.lis.v2.lineitemcontainer+json',
    lineItem: 'application/vnd.ims.lis.v2.lineitem+json',
    score: 'application/vnd.ims.lis.v1.score+json',
    resultContainer: 'application/vnd.ims.lis.v2.resultcontainer+json',
    membershipContainer: 'application/vnd.ims.lti-nrps.v2.membershipcontainer+json',
  },
  clientAssertionType: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
  deepLinking: {
    responseMessageType: 'LtiDeepLinkingResponse',
    contentItemsClaim: 'https://purl.imsglobal.org/spec/lti-dl/claim/content_items',
    dataClaim: 'https://purl.imsglobal.org/spec/lti-dl/claim/data',
    msgClaim: 'https://purl.imsglobal.org/spec/lti-dl/claim/msg',
    errorMsgClaim: 'https://purl.imsglobal.org/spec/lti-dl/claim/errormsg',
    resourceLinkType: 'ltiResourceLink',
  },
  registration: {
    toolConfigurationClaim: 'https://purl.imsglobal.org/spec/lti-tool-configuration',
    platformConfigurationClaim: 'https://purl.imsglobal.org/spec/lti-platform-configuration',
  },
} as const;
