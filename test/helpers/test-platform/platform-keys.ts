import { randomUUID } from 'node:crypto';
import { type CryptoKey, type JSONWebKeySet, type JWK, SignJWT, exportJWK, exportSPKI, generateKeyPair } from 'jose';
import type { JsonObject } from './types.js';

interface KeyEntry {
  kid: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
  spkiPem: string;
}

/**
 * The platform's RS256 signing keys (made and used through jose). The newest signs; older ones stay
 * published until dropped, as a platform rotating keys does.
 */
export interface PlatformKeys {
  readonly currentKid: string;
  jwks(): JSONWebKeySet;
  /** Signs with the current key; `header` is used as given (a missing kid stays missing). */
  sign(payload: JsonObject, header: JsonObject): Promise<string>;
  /** The current public key as PEM, the "secret" of the HS256 key-confusion case. */
  publicPem(): string;
  rotate(dropOld: boolean): Promise<string>;
}

async function makeKey(): Promise<KeyEntry> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { modulusLength: 2048 });
  const kid = `platform-${randomUUID()}`;
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };
  return { kid, privateKey, publicJwk, spkiPem: await exportSPKI(publicKey) };
}

export async function createPlatformKeys(): Promise<PlatformKeys> {
  let keys: KeyEntry[] = [await makeKey()];
  const current = (): KeyEntry => keys[keys.length - 1] as KeyEntry;
  return {
    get currentKid() {
      return current().kid;
    },
    jwks: () => ({ keys: keys.map((k) => ({ ...k.publicJwk })) }),
    sign: async (payload, header) => {
      const protectedHeader = { alg: 'RS256', ...header };
      return new SignJWT(payload).setProtectedHeader(protectedHeader).sign(current().privateKey);
    },
    publicPem: () => current().spkiPem,
    rotate: async (dropOld) => {
      const next = await makeKey();
      keys = dropOld ? [next] : [...keys, next];
      return next.kid;
    },
  };
}
