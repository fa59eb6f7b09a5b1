import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { Agent, buildConnector, fetch as undiciFetch } from 'undici';
import { isInternalAddress } from './internal-address.js';

/** A connection refused because its host is, or resolves to, an internal address. */
export class InternalAddressError extends Error {
  override readonly name = 'InternalAddressError';
  readonly code = 'internal_address';
  constructor(
    readonly host: string,
    readonly address: string,
  ) {
    super(`${host} points to an internal address (${address}); only public hosts can be reached from here.`);
  }
}

export interface PublicOnlyFetchOptions {
  /** The host's addresses (default: the system resolver, every address). */
  resolve?: (host: string) => Promise<string[]>;
  /** Which addresses count as internal (default: isInternalAddress). */
  isInternal?: (address: string) => boolean;
}

/** Every address the system resolver gives for a host name. */
export async function resolveAll(host: string): Promise<string[]> {
  return (await lookup(host, { all: true, verbatim: true })).map((a) => a.address);
}

/**
 * A fetch that reaches public hosts only, checked when each connection is made: the name is
 * resolved, every address must be public, and the socket goes to the address that was checked.
 * A check before the request alone is not enough: fetch would resolve the name again (a DNS
 * rebinding server can answer differently the second time), and a redirect can name another
 * host, or an internal address outright. Here every connection, redirects included, passes the
 * same gate. TLS still verifies the certificate against the name (the server name is kept).
 */
export function publicOnlyFetch(options: PublicOnlyFetchOptions = {}): typeof fetch {
  const resolve = options.resolve ?? resolveAll;
  const isInternal = options.isInternal ?? isInternalAddress;
  const connect = buildConnector({});
  const agent = new Agent({
    connect: (target, callback) => {
      const host = target.hostname.replace(/^\[|\]$/g, '');
      const literal = isIP(host) !== 0;
      (literal ? Promise.resolve([host]) : resolve(host))
        .then((addresses) => {
          const first = addresses[0];
          if (first === undefined) throw new Error(`${host} cannot be resolved.`);
          const internal = addresses.find(isInternal);
          if (internal !== undefined) throw new InternalAddressError(host, internal);
          connect({ ...target, hostname: first, ...(literal ? {} : { servername: target.servername ?? host }) }, callback);
        })
        .catch((error: unknown) => callback(error instanceof Error ? error : new Error(String(error)), null));
    },
  });
  // undici's fetch is the one Node bundles, in its package form, so it takes the dispatcher.
  const guarded = (input: Parameters<typeof undiciFetch>[0], init?: Parameters<typeof undiciFetch>[1]) => undiciFetch(input, { ...init, dispatcher: agent });
  return guarded as unknown as typeof fetch;
}
