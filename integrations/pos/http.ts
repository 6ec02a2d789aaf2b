import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import axios, {
  type AxiosError,
  type AxiosInstance,
  type AxiosRequestConfig,
  type AxiosResponse,
  type InternalAxiosRequestConfig,
} from 'axios';
import axiosRetry from 'axios-retry';
import type Joi from 'joi';
import { isPublicAddress } from './base-url-guard.js';
import type { PosClientDeps, PosRetryOptions } from './pos-client.js';
import { PosError } from './pos-errors.js';
import type { PosProvider } from './pos-types.js';
import { sharedRateLimiter, type RateLimitSpec } from './rate-limiter.js';

declare module 'axios' {
  interface AxiosRequestConfig {
    /**
     * A POST/PATCH that is safe to repeat after a timeout or a 5xx (a search, a sparse update by id).
     * Other non-idempotent requests are retried only when they surely never reached the vendor (429,
     * connection refused), so a create is never sent twice.
     */
    posRetrySafe?: boolean;
  }
}

export type VendorErrorResponse = Pick<AxiosResponse, 'status' | 'data' | 'headers'>;

export interface PosHttpOptions extends Pick<
  PosClientDeps,
  'timeoutMs' | 'retry' | 'now' | 'onRetry' | 'development' | 'rateLimiter'
> {
  provider: PosProvider;
  baseURL: string;
  /** Static headers (Flowhub clientId/key, Blaze keys, Dutchie Basic). */
  headers?: Record<string, string>;
  /** Vendors limit per credential: use credentialKey(provider, …the parts the vendor counts by). */
  limiterKey: string;
  rateLimit: RateLimitSpec;
  /** Adds credentials to every attempt, retries included, so short-lived signatures (Treez v3, 30 s) stay fresh. */
  authorize?: (config: InternalAxiosRequestConfig) => void | Promise<void>;
  /** Told when the vendor answers 401/403: drop a cached token so the next call fetches a new one. */
  onAuthRejected?: () => void | Promise<void>;
  /** Which 5xx are worth a retry. Default: all (and 408); Dutchie's docs say not to retry a 500. */
  isRetryableStatus?: (status: number) => boolean;
  /** A vendor's own reading of an error answer (Treez 404 CUSTOMER_DOESNT_EXIST); undefined → the default. */
  translateError?: (response: VendorErrorResponse) => PosError | undefined;
}

const DEFAULT_RETRY: Required<PosRetryOptions> = {
  retries: 3,
  minDelayMs: 500,
  maxDelayMs: 60_000,
  maxRetryAfterMs: 60_000,
};
const TIMEOUT_CODES = new Set(['ECONNABORTED', 'ETIMEDOUT']);
// Failures before the request left: repeating even a create cannot duplicate it.
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN']);
const SAFE_METHODS = new Set(['get', 'head', 'options', 'put', 'delete']);
const PRIVATE_ADDRESS = 'EPOS_PRIVATE_ADDRESS';

/** Retry-After in ms, from delta-seconds or an HTTP-date; undefined when absent or unreadable. */
export function parseRetryAfter(value: unknown, now: Date): number | undefined {
  if (typeof value !== 'string' && typeof value !== 'number') return undefined;
  const text = String(value).trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  // An HTTP-date names its month; without letters Date.parse would read '-5' as a year.
  const at = /[a-z]/i.test(text) ? Date.parse(text) : NaN;
  return Number.isNaN(at) ? undefined : Math.max(0, at - now.getTime());
}

/** The one place a vendor's failure becomes a PosError. Messages name the status, never the body. */
export function toPosError(err: unknown, options: PosHttpOptions): unknown {
  if (err instanceof PosError || !axios.isAxiosError(err)) return err;
  const { provider } = options;
  const response = err.response;
  if (!response) {
    if (err.code === PRIVATE_ADDRESS) {
      return new PosError('pos_misconfigured', `${provider} host resolves to a non-public address`, { provider });
    }
    const what = TIMEOUT_CODES.has(err.code ?? '') ? 'timed out' : `unreachable (${err.code ?? 'network error'})`;
    return new PosError('pos_unavailable', `${provider} ${what}`, { provider });
  }
  const custom = options.translateError?.(response);
  if (custom) return custom;
  const { status } = response;
  const meta = { provider, status, vendorRequestId: requestId(response) };
  if (status === 401 || status === 403)
    return new PosError('pos_auth_failed', `${provider} refused the credentials`, meta);
  if (status === 429) {
    const retryAfterMs = parseRetryAfter(response.headers['retry-after'], (options.now ?? (() => new Date()))());
    return new PosError('pos_rate_limited', `${provider} rate limit reached`, { ...meta, retryAfterMs });
  }
  if (status === 404) return new PosError('pos_not_found', `${provider} answered 404`, meta);
  if (status === 408 || status >= 500) {
    const retryable = (options.isRetryableStatus ?? (() => true))(status);
    return new PosError('pos_unavailable', `${provider} answered ${status}`, { ...meta, retryable });
  }
  return new PosError('pos_rejected', `${provider} answered ${status}`, meta);
}

function requestId(response: VendorErrorResponse): string | undefined {
  const value = response.headers['x-request-id'] ?? response.headers['request-id'];
  return typeof value === 'string' ? value.slice(0, 100) : undefined;
}

/**
 * An axios instance for one vendor client: per-attempt timeout, a rate limiter shared by every client on
 * the same credential, retries with exponential backoff and jitter that honour Retry-After, and every
 * failure translated into PosError. Requests to non-public addresses are refused unless `development`.
 */
export function createPosHttp(options: PosHttpOptions): AxiosInstance {
  const retry = { ...DEFAULT_RETRY, ...options.retry };
  const limiter = options.rateLimiter ?? sharedRateLimiter(options.limiterKey, options.rateLimit);
  const http = axios.create({
    baseURL: options.baseURL,
    timeout: options.timeoutMs ?? 30_000,
    headers: { Accept: 'application/json', ...options.headers },
    maxRedirects: 0, // a redirect could lead to any host, and would carry the credentials there
    ...(options.development ? {} : { lookup: publicOnlyLookup }),
  });
  const translated = new WeakMap<AxiosError, PosError>();
  const asPosError = (err: AxiosError) => {
    let e = translated.get(err);
    if (!e) translated.set(err, (e = toPosError(err, options) as PosError));
    return e;
  };

  axiosRetry(http, {
    retries: retry.retries,
    shouldResetTimeout: true,
    retryCondition: (err) => shouldRetry(err, asPosError(err), retry),
    // Reports here because only here is the delay known; axios-retry calls this once per retry.
    retryDelay: (attempt, err) => {
      const e = asPosError(err);
      const backoff = retry.minDelayMs * 2 ** (attempt - 1);
      const jittered = backoff / 2 + (Math.random() * backoff) / 2;
      const delayMs = Math.min(Math.max(jittered, e.retryAfterMs ?? 0), retry.maxDelayMs);
      if (e.code === 'pos_rate_limited') limiter.pauseFor(delayMs);
      options.onRetry?.({
        provider: options.provider,
        attempt,
        code: e.code,
        status: e.status,
        retryAfterMs: e.retryAfterMs,
        delayMs,
      });
      return delayMs;
    },
  });
  // Request interceptors run last-registered first: address check, then the limiter, then credentials.
  if (options.authorize) http.interceptors.request.use(async (config) => (await options.authorize!(config), config));
  http.interceptors.request.use(async (config) => (await limiter.acquire(), config));
  if (!options.development) http.interceptors.request.use(refuseNonPublicTarget(options.provider));
  // Outer retry chains see the PosError an inner attempt already translated: only translate (and tell
  // onAuthRejected) once. A failing hook must not hide the vendor's answer.
  http.interceptors.response.use(undefined, async (err: unknown) => {
    if (!axios.isAxiosError(err)) throw err;
    const e = asPosError(err);
    if (e.code === 'pos_auth_failed') await (async () => options.onAuthRejected?.())().catch(() => undefined);
    throw e;
  });
  return http;
}

function shouldRetry(err: AxiosError, e: PosError, retry: Required<PosRetryOptions>): boolean {
  if (e.code === 'pos_rate_limited') return (e.retryAfterMs ?? 0) <= retry.maxRetryAfterMs;
  if (e.code !== 'pos_unavailable' || !e.retryable) return false;
  const config: AxiosRequestConfig | undefined = err.config;
  if (config?.posRetrySafe || SAFE_METHODS.has((config?.method ?? 'get').toLowerCase())) return true;
  return !err.response && NOT_SENT_CODES.has(err.code ?? '');
}

function refuseNonPublicTarget(provider: PosProvider) {
  return (config: InternalAxiosRequestConfig) => {
    const url = new URL(axios.getUri(config));
    const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
    if (url.protocol !== 'https:' || (isIP(host) && !isPublicAddress(host))) {
      throw new PosError('pos_misconfigured', `${provider} URL must be https to a public address`, { provider });
    }
    return config;
  };
}

// Connect-time check: DNS may answer differently now than when the store's URL was saved (rebinding).
async function publicOnlyLookup(hostname: string): Promise<Array<{ address: string; family: number }>> {
  const addresses = await dnsLookup(hostname, { all: true, verbatim: true });
  if (!addresses.every((a) => isPublicAddress(a.address))) {
    throw Object.assign(new Error('refused a non-public address'), { code: PRIVATE_ADDRESS });
  }
  return addresses;
}

/**
 * The vendor payload checked against its joi schema (unknown keys allowed: vendors add fields). A
 * mismatch is pos_bad_response listing where and what kind, never the offending values: they may be PII.
 */
export function validateResponse<T>(schema: Joi.Schema<T>, data: unknown, provider?: PosProvider): T {
  const { value, error } = schema.validate(data, { abortEarly: false, allowUnknown: true });
  if (!error) return value;
  const details = error.details.slice(0, 20).map((d) => ({ path: d.path.join('.') || '(root)', type: d.type }));
  const where = [...new Set(details.map((d) => d.path))].slice(0, 5).join(', ');
  throw new PosError('pos_bad_response', `${provider ?? 'POS'} response did not match its schema at ${where}`, {
    provider,
    details,
  });
}
