import { lookup as dnsLookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import type { PosProvider } from './pos-types.js';

/** The production hosts each vendor documents (pos-apis.md), API and token endpoints. */
export const POS_VENDOR_HOSTS: Record<PosProvider, readonly string[]> = {
  treez: ['api-prod.treez.io', 'api.treez.io'],
  flowhub: ['api.flowhub.co'],
  leaflogix: ['api.pos.dutchie.com'],
  covasoft: ['api.covasoft.net', 'accounts.iqmetrix.net', 'crm.iqmetrix.net'],
  blaze: ['api.partners.blaze.me', 'api.blaze.me'],
};

const loopback = new BlockList();
loopback.addSubnet('127.0.0.0', 8, 'ipv4');
loopback.addAddress('::1', 'ipv6');

// Everything that is not the public internet. IPv4-mapped IPv6 (::ffff:a.b.c.d) is matched by the IPv4 rules.
const nonPublic = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8], // "this" network
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8],
  ['169.254.0.0', 16], // link-local, cloud metadata endpoints
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
] as const) {
  nonPublic.addSubnet(net, bits, 'ipv4');
}
for (const [net, bits] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7], // unique-local
  ['fe80::', 10], // link-local
  ['fec0::', 10], // old site-local
  ['ff00::', 8], // multicast
] as const) {
  nonPublic.addSubnet(net, bits, 'ipv6');
}

const family = (ip: string) => (isIP(ip) === 6 ? 'ipv6' : 'ipv4');

export const isLoopbackAddress = (ip: string): boolean => isIP(ip) !== 0 && loopback.check(ip, family(ip));
export const isPublicAddress = (ip: string): boolean => isIP(ip) !== 0 && !nonPublic.check(ip, family(ip));

export type AddressLookup = (hostname: string) => Promise<Array<{ address: string; family: number }>>;

export const systemLookup: AddressLookup = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

/** A URL's host as addresses are checked: IPv6 brackets and a trailing dot removed, lower case. */
export const hostOf = (url: URL) =>
  url.hostname
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/\.$/, '')
    .toLowerCase();

export interface BaseUrlGuardOptions {
  /** Development and test: http and loopback addresses are allowed, for sandbox vendors. */
  development: boolean;
  /** Hosts allowed besides the vendor's own (a vendor's staging host given at onboarding). */
  allowedHosts?: readonly string[];
  /** Injected in tests; defaults to the system resolver. */
  lookup?: AddressLookup;
}

export type BaseUrlCheck = { ok: true; url: URL } | { ok: false; reason: string };

const refuse = (reason: string): BaseUrlCheck => ({ ok: false, reason });

/**
 * Whether a store may point its POS at `raw` (baseUrl or authUrl from its settings). A POS URL is fetched
 * by our workers with the store's credentials, so an arbitrary one is SSRF: production accepts only https
 * to the vendor's documented host or an allow-listed one, and never an address off the public internet,
 * whether written literally or reached through DNS (every answer must be public). Run it when settings
 * are saved and again before a client is built; http.ts re-checks addresses at connect time.
 */
export async function checkPosBaseUrl(
  provider: PosProvider,
  raw: string,
  options: BaseUrlGuardOptions,
): Promise<BaseUrlCheck> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return refuse('not a URL');
  }
  if (url.protocol !== 'https:' && !(options.development && url.protocol === 'http:')) {
    return refuse('must use https');
  }
  if (url.username || url.password) return refuse('must not carry credentials');
  if (url.search || url.hash) return refuse('must not carry a query or fragment');

  const host = hostOf(url);
  const addresses = isIP(host) ? [host] : await resolve(host, options.lookup ?? systemLookup);
  if (addresses === undefined || addresses.length === 0) return refuse('host does not resolve');

  const allLoopback = addresses.every(isLoopbackAddress);
  if (options.development && allLoopback) return { ok: true, url };

  const allowed = [...POS_VENDOR_HOSTS[provider], ...(options.allowedHosts ?? [])].map((h) => h.toLowerCase());
  if (!allowed.includes(host)) return refuse(`host is not a ${provider} host nor allow-listed`);
  if (!addresses.every(isPublicAddress)) return refuse('host resolves to a non-public address');
  return { ok: true, url };
}

async function resolve(host: string, lookup: AddressLookup): Promise<string[] | undefined> {
  try {
    return (await lookup(host)).map((a) => a.address);
  } catch {
    return undefined;
  }
}
