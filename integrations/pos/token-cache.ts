import { createHash } from 'node:crypto';
import type { PosProvider } from './pos-types.js';

export interface PosToken {
  value: string;
  expiresAt: Date;
}

/**
 * Where vendor access tokens live between calls. Vendors want them reused (Treez v2 makes it a
 * certification condition, 2 h tokens; Cova tokens last ~12 h), and a sync builds a new client per run.
 * Async so a shared store can replace the in-memory one.
 */
export interface PosTokenCache {
  get(key: string): Promise<PosToken | undefined>;
  set(key: string, token: PosToken): Promise<void>;
  delete(key: string): Promise<void>;
}

export function createMemoryTokenCache(): PosTokenCache {
  const tokens = new Map<string, PosToken>();
  return {
    get: async (key) => tokens.get(key),
    set: async (key, token) => void tokens.set(key, token),
    delete: async (key) => void tokens.delete(key),
  };
}

/** The process-wide cache adapters use when their deps bring none. */
export const sharedTokenCache: PosTokenCache = createMemoryTokenCache();

/**
 * A stable, opaque key for one credential: for token caches and rate limiters, which must not keep raw
 * secrets as keys. Pass the parts that identify the credential (client id, location, key…).
 */
export function credentialKey(provider: PosProvider, ...parts: string[]): string {
  const digest = createHash('sha256').update(parts.join('\u0000')).digest('base64url').slice(0, 22);
  return `${provider}:${digest}`;
}

const inFlight = new Map<string, Promise<string>>();

export interface CachedTokenOptions {
  cache: PosTokenCache;
  key: string;
  now: () => Date;
  /** A token this close to expiry is replaced, so a request never starts with one about to die. */
  marginMs?: number;
}

/**
 * The cached token for `key`, or a new one from `fetchToken`. Concurrent callers share one fetch, so a
 * burst of requests after expiry costs the vendor one token exchange.
 */
export async function getCachedToken(
  options: CachedTokenOptions,
  fetchToken: () => Promise<PosToken>,
): Promise<string> {
  const { cache, key, now, marginMs = 5 * 60_000 } = options;
  const cached = await cache.get(key);
  if (cached && cached.expiresAt.getTime() - marginMs > now().getTime()) return cached.value;
  let pending = inFlight.get(key);
  if (!pending) {
    pending = fetchToken()
      .then(async (token) => {
        await cache.set(key, token);
        return token.value;
      })
      .finally(() => inFlight.delete(key));
    inFlight.set(key, pending);
  }
  return pending;
}
