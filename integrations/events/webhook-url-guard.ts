import { isIP } from 'node:net';
import { hostOf, isPublicAddress, systemLookup, type AddressLookup } from '../pos/base-url-guard.js';

export type { AddressLookup };

export interface WebhookTargetOptions {
  /**
   * Development only (config.webhooks.allowPrivateTargets): http, loopback and private addresses are
   * accepted, so a receiver on the developer's machine works. Otherwise https to public addresses only.
   */
  allowPrivateTargets: boolean;
  /** Injected in tests; defaults to the system resolver. */
  lookup?: AddressLookup;
}

export type WebhookUrlCheck = { ok: true; url: URL } | { ok: false; reason: string };
export type WebhookTarget =
  { ok: true; addresses: Array<{ address: string; family: number }> } | { ok: false; reason: string };

// Names that never reach the public internet; a single-label name is completed by the resolver's search domains.
const PRIVATE_SUFFIXES = ['.localhost', '.local', '.internal', '.home.arpa'];

/**
 * The checks a webhook URL passes when it is registered, without DNS (a resolver hiccup must not refuse
 * a good URL, and the answer can change anyway): https, no credentials or fragment, and a host that is
 * not written as a non-public address or a private name. Delivery checks the resolved addresses again
 * (resolveWebhookTarget), where the answer counts.
 */
export function checkWebhookUrl(
  raw: string,
  options: Pick<WebhookTargetOptions, 'allowPrivateTargets'>,
): WebhookUrlCheck {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, reason: 'is not a URL' };
  }
  const http = url.protocol === 'http:';
  if (url.protocol !== 'https:' && !(http && options.allowPrivateTargets)) {
    return { ok: false, reason: 'must use https' };
  }
  if (url.username || url.password) return { ok: false, reason: 'must not carry credentials' };
  if (url.hash) return { ok: false, reason: 'must not carry a fragment' };
  if (options.allowPrivateTargets) return { ok: true, url };

  const host = hostOf(url);
  if (isIP(host)) {
    return isPublicAddress(host)
      ? { ok: true, url }
      : { ok: false, reason: 'is a loopback, private, link-local or reserved address' };
  }
  if (host === 'localhost' || !host.includes('.') || PRIVATE_SUFFIXES.some((suffix) => host.endsWith(suffix))) {
    return { ok: false, reason: 'is not a public host name' };
  }
  return { ok: true, url };
}

/**
 * The addresses to send to, resolved now (a name may have been pointed at 127.0.0.1 since it was
 * registered: DNS rebinding). Every answer must be public unless private targets are allowed; the
 * sender then connects to these addresses only, so no second lookup can answer differently.
 */
export async function resolveWebhookTarget(url: URL, options: WebhookTargetOptions): Promise<WebhookTarget> {
  const host = hostOf(url);
  let addresses: Array<{ address: string; family: number }>;
  if (isIP(host)) {
    addresses = [{ address: host, family: isIP(host) }];
  } else {
    try {
      addresses = await (options.lookup ?? systemLookup)(host);
    } catch {
      return { ok: false, reason: 'host does not resolve' };
    }
  }
  if (addresses.length === 0) return { ok: false, reason: 'host does not resolve' };
  if (!options.allowPrivateTargets && !addresses.every((a) => isPublicAddress(a.address))) {
    return { ok: false, reason: 'host resolves to a non-public address' };
  }
  return { ok: true, addresses };
}
