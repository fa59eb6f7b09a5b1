import { hkdfSync } from 'node:crypto';

/**
 * Every secret the server uses is derived from SECRET_KEY with HKDF and a purpose label,
 * so one leaked derived key (say, the session-signing key) reveals nothing about another
 * (say, the key that encrypts consumer secrets).
 */
export type KeyPurpose = 'session-token' | 'secret-box' | 'admin-csrf' | 'package-grant' | 'lti13-login-state';

export function deriveKey(secretKey: string, purpose: KeyPurpose): Buffer {
  return Buffer.from(hkdfSync('sha256', secretKey, 'lti-exam-provider', `v1:${purpose}`, 32));
}
