import { isIP } from 'node:net';
import { AppError } from '../lib/errors.js';
import { isInternalAddress } from '../lib/internal-address.js';
import { resolveAll } from '../lib/public-only-fetch.js';

/**
 * The guard in front of the one URL a stranger can make the tool fetch: the
 * `openid_configuration` of a dynamic registration. Always: http(s) only, no user name or
 * password in the URL (they would be sent as credentials), no fragment, at most 2000
 * characters. With open registration (no admin token needed) also: the host must not be, or
 * resolve to, a loopback, private, link-local or otherwise internal address, so the tool
 * cannot be used to probe the network it runs in.
 *
 * This check refuses early, with a clear message. What holds against DNS rebinding and
 * redirects is the fetch open registration then uses (lib/public-only-fetch.ts): it checks
 * every connection it makes, and connects to the address it checked.
 */
export async function checkRegistrationUrl(raw: string, options: { refuseInternal: boolean; resolve?: (host: string) => Promise<string[]> }): Promise<URL> {
  const refuse = (why: string): AppError => new AppError('bad_request', `The openid_configuration URL ${why}`);
  if (raw.length > 2000) throw refuse('is too long.');
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw refuse('is not a URL.');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw refuse('must start with https:// (or http:// for a local test platform).');
  if (url.username !== '' || url.password !== '') throw refuse('must not contain a user name or password.');
  if (url.hash !== '') throw refuse('must not contain a fragment (#…).');
  if (!options.refuseInternal) return url;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const addresses = isIP(host) !== 0 ? [host] : await (options.resolve ?? resolveAll)(host).catch(() => [] as string[]);
  if (addresses.length === 0) throw refuse(`names a host that cannot be resolved (${url.hostname}).`);
  const internal = addresses.find(isInternalAddress);
  if (internal !== undefined) throw refuse(`points to an internal address (${internal}); open registration only reaches public platforms.`);
  return url;
}
