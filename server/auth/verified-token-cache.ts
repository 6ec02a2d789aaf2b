/** What a cache entry keeps of a token that passed full verification. */
export interface VerifiedEntry<T> {
  claims: T;
  /** The token's `exp`, in seconds since the epoch. */
  expiresAt: number;
}

export type CacheLookup<T> = { status: 'miss' } | { status: 'expired' } | { status: 'hit'; claims: T };

const MISS = { status: 'miss' } as const;
const EXPIRED = { status: 'expired' } as const;

/**
 * A bounded, least-recently-used map from an access token to the claims it was verified to carry, so a
 * token seen again skips the signature check. A hit still reports expiry itself (jose's rule: expired once
 * `exp <= now`); an expired entry is dropped and never answered as valid. Only call `remember` with
 * tokens that passed full verification.
 */
export function createVerifiedTokenCache<T>(maxEntries: number, nowSeconds = () => Math.floor(Date.now() / 1000)) {
  if (!Number.isInteger(maxEntries) || maxEntries < 1) throw new Error('maxEntries must be a positive integer');
  // A Map iterates in insertion order: re-inserting on a hit makes the first key the least recently used.
  const entries = new Map<string, VerifiedEntry<T>>();

  return {
    lookup(token: string): CacheLookup<T> {
      const entry = entries.get(token);
      if (!entry) return MISS;
      entries.delete(token);
      if (entry.expiresAt <= nowSeconds()) return EXPIRED;
      entries.set(token, entry);
      return { status: 'hit', claims: entry.claims };
    },
    remember(token: string, claims: T, expiresAt: number): void {
      if (expiresAt <= nowSeconds()) return;
      entries.delete(token);
      entries.set(token, { claims, expiresAt });
      if (entries.size > maxEntries) entries.delete(entries.keys().next().value!);
    },
    get size(): number {
      return entries.size;
    },
  };
}

export type VerifiedTokenCache<T> = ReturnType<typeof createVerifiedTokenCache<T>>;
