/** OAuth 1.0a (RFC 5849) HMAC-SHA1 signing and verification for LTI 1.1. Pure: no I/O. */
export { percentEncode } from './percent-encode.js';
export { type OAuthParam, baseStringUri, normalizeParameters, signatureBaseString, urlQueryParameters } from './base-string.js';
export { bodyHash } from './body-hash.js';
export { type SignOptions, authorizationHeader, hmacSha1, signParameters } from './sign.js';
export { type OAuthCheck, type OAuthFailure, type VerifyOptions, parseAuthorizationHeader, verifySignature } from './verify.js';
