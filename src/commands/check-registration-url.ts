import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { AppError } from '../lib/errors.js';

/**
 * The guard in front of the one URL a stranger can make the tool fetch: the
 * `openid_configuration` of a dynamic registration. Always: http(s) only, no user name or
 * password in the URL (they would be sent as credentials), no fragment, at most 2000
 * characters. With open registration (no admin token needed) also: the host must not be, or
 * resolve to, a loopback, private, link-local or otherwise internal address, so the tool
 * cannot be used to probe the network it runs in.
 *
 * Known limits, documented rather than hidden: the check resolves the name once and fetch
 * resolves it again (a DNS rebinding attacker could answer differently the second time), and
 * a GET follows redirects. Both only matter with OPEN_REGISTRATION=1; with admin-issued
 * tokens whoever starts a registration was trusted by an administrator.
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

async function resolveAll(host: string): Promise<string[]> {
  return (await lookup(host, { all: true, verbatim: true })).map((a) => a.address);
}

function ipv4Parts(address: string): number[] | null {
  const parts = address.split('.').map(Number);
  return parts.length === 4 && parts.every((p) => Number.isInteger(p) && p >= 0 && p <= 255) ? parts : null;
}

/** Loopback, private (RFC 1918, ULA), link-local, CGNAT, unspecified, multicast and reserved ranges. */
export function isInternalAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  const v4 = ipv4Parts(mapped?.[1] ?? address);
  if (v4 !== null) {
    const [a = 0, b = 0] = v4;
    return (
      a === 0 ||
      a === 10 ||
      a === 127 ||
      (a === 100 && b >= 64 && b <= 127) ||
      (a === 169 && b === 254) ||
      (a === 172 && b >= 16 && b <= 31) ||
      (a === 192 && b === 168) ||
      (a === 198 && (b === 18 || b === 19)) ||
      a >= 224
    );
  }
  const lower = address.toLowerCase();
  return lower === '::' || lower === '::1' || /^f[cd]/.test(lower) || /^fe[89ab]/.test(lower) || /^ff/.test(lower);
}
