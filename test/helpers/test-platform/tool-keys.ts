import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type CryptoKey, exportJWK, generateKeyPair } from 'jose';

export interface StandInToolKeys {
  jwksUrl: string;
  kid: string;
  privateKey: CryptoKey;
  close(): Promise<void>;
}

/** A stand-in tool key for testing the platform itself: an RS256 key made with jose, published by a tiny JWKS server. */
export async function startToolKeys(): Promise<StandInToolKeys> {
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  const kid = 'tool-key-1';
  const jwks = JSON.stringify({ keys: [{ ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' }] });
  const server = createServer((_req, res) => res.writeHead(200, { 'Content-Type': 'application/json' }).end(jwks));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const jwksUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks`;
  return { jwksUrl, kid, privateKey, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
