import type { PosErrorCode } from './pos-errors.js';
import type { NewPosCustomer, PosCustomer, PosCustomerPatch, PosCustomerRef, PosProvider } from './pos-types.js';
import type { RateLimiter } from './rate-limiter.js';
import type { PosTokenCache } from './token-cache.js';

/**
 * One store's connection to its POS, speaking our types. Every method fails only with PosError.
 * Build one per sync run or write; it holds no state that must be closed.
 */
export interface PosClient {
  readonly provider: PosProvider;
  readonly capabilities: { create: boolean; update: boolean };
  /**
   * Customers changed since `since` (all of them when null), one vendor page at a time. Vendors with
   * coarse filters (date-only, created-not-modified) may yield records older than `since`: the caller
   * dedupes on externalId + lastModifiedAt. Stop iterating to stop fetching.
   */
  listCustomersChangedSince(since: Date | null): AsyncIterable<PosCustomer[]>;
  /** Present exactly when capabilities.create. */
  createCustomer?(customer: NewPosCustomer): Promise<PosCustomerRef>;
  /** Present exactly when capabilities.update. */
  updateCustomer?(ref: PosCustomerRef, patch: PosCustomerPatch): Promise<void>;
}

export interface PosRetryOptions {
  /** Further attempts after the first. */
  retries: number;
  /** Backoff base: attempt n waits about minDelayMs·2^(n-1), with jitter, or Retry-After if longer. */
  minDelayMs: number;
  /** Cap on any one wait, Retry-After included. Tests set 0: no waiting, Retry-After still reported. */
  maxDelayMs?: number;
  /**
   * A Retry-After longer than this is not waited for in-process: the call fails pos_rate_limited with
   * retryAfterMs, and the job queue reschedules it.
   */
  maxRetryAfterMs?: number;
}

/** Reported before each retry: for logs, metrics and tests (ids and codes only, no payload). */
export interface PosRetryEvent {
  provider: PosProvider;
  /** 1 for the first retry. */
  attempt: number;
  code: PosErrorCode;
  status: number | undefined;
  retryAfterMs: number | undefined;
  delayMs: number;
}

export interface PosClientDeps {
  /** Overrides the vendor's documented host; checked by base-url-guard.ts before it gets here. */
  baseUrl?: string;
  /** Overrides the vendor's token endpoint host (Cova, Treez v2). Same checks as baseUrl. */
  authUrl?: string;
  /** IANA zone of the store: Flowhub filters by store-local date, Treez wants the store's offset. */
  storeTimezone: string;
  timeoutMs?: number;
  retry?: PosRetryOptions;
  now?: () => Date;
  /** Defaults to the process-wide in-memory cache. */
  tokenCache?: PosTokenCache;
  onRetry?: (event: PosRetryEvent) => void;
  /**
   * Replaces the process-wide limiter for the client's credential: tests pass an unlimited one, and a
   * shared (Redis) limiter can bound several worker processes together.
   */
  rateLimiter?: RateLimiter;
  /**
   * Development and test: plain http and non-public addresses are allowed (sandbox vendors on
   * loopback). Otherwise every request must be https to a public address.
   */
  development?: boolean;
}

/**
 * Builds a client from a store's stored credentials, which it validates against the vendor's
 * credential schema (wrong shape → PosError pos_misconfigured). Never does I/O itself.
 */
export type PosClientFactory = (credentials: unknown, deps: PosClientDeps) => PosClient;
