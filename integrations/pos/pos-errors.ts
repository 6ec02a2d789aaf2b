import type { PosProvider } from './pos-types.js';

/**
 * The closed set of ways a POS call fails. http.ts translates every vendor answer into one of these, so
 * callers branch on `code` and `retryable`, never on a vendor's status codes or bodies.
 */
export type PosErrorCode =
  | 'pos_auth_failed' // 401/403: credentials wrong, revoked or missing a scope
  | 'pos_rate_limited' // 429: `retryAfterMs` when the vendor said how long
  | 'pos_unavailable' // 5xx, network failure, timeout
  | 'pos_bad_response' // the payload failed the vendor's response schema: the vendor changed, or sent junk
  | 'pos_rejected' // other 4xx: the vendor refused this request (validation, business rule)
  | 'pos_not_found' // 404 on a record the adapter asked for by id
  | 'pos_misconfigured'; // the store's POS settings are unusable: credentials of the wrong shape, a refused URL

const RETRYABLE: Record<PosErrorCode, boolean> = {
  pos_auth_failed: false,
  pos_rate_limited: true,
  pos_unavailable: true,
  pos_bad_response: false,
  pos_rejected: false,
  pos_not_found: false,
  pos_misconfigured: false,
};

/** Where a problem sits and what kind it is; never a value (payloads hold names, phones, licences). */
export interface PosErrorDetail {
  path?: string;
  type?: string;
}

export interface PosErrorOptions {
  provider?: PosProvider;
  /** The vendor's HTTP status, when there was one. */
  status?: number;
  retryAfterMs?: number;
  details?: PosErrorDetail[];
  /** The vendor's request/trace id, for support tickets. */
  vendorRequestId?: string;
  /** Overrides the code's default (e.g. a Dutchie 500, which its docs say not to retry). */
  retryable?: boolean;
}

/**
 * The only error that leaves integrations/pos. It deliberately has no `cause`: an AxiosError carries the
 * request's headers, and so the vendor credentials.
 */
export class PosError extends Error {
  readonly code: PosErrorCode;
  readonly retryable: boolean;
  readonly provider: PosProvider | undefined;
  readonly status: number | undefined;
  readonly retryAfterMs: number | undefined;
  readonly details: PosErrorDetail[];
  readonly vendorRequestId: string | undefined;

  constructor(code: PosErrorCode, message: string, options: PosErrorOptions = {}) {
    super(message);
    this.name = 'PosError';
    this.code = code;
    this.retryable = options.retryable ?? RETRYABLE[code];
    this.provider = options.provider;
    this.status = options.status;
    this.retryAfterMs = options.retryAfterMs;
    this.details = options.details ?? [];
    this.vendorRequestId = options.vendorRequestId;
  }
}

export function isPosError(err: unknown, code?: PosErrorCode): err is PosError {
  return err instanceof PosError && (code === undefined || err.code === code);
}
