export const ERROR_STATUS = {
  validation_failed: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  duplicate_customer: 409,
  insufficient_stock: 409,
  pos_not_configured: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  idempotency_mismatch: 422,
  rate_limited: 429,
  internal: 500,
  pos_unavailable: 502,
  service_unavailable: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export interface ErrorDetail {
  path?: string;
  message?: string;
  [key: string]: unknown;
}

export interface AppErrorOptions {
  details?: ErrorDetail[];
  cause?: unknown;
  retryable?: boolean;
  headers?: Record<string, string>;
}

/** The one error type the service throws on purpose; `code` decides the HTTP status. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details: ErrorDetail[];
  readonly retryable: boolean;
  readonly headers: Record<string, string>;

  constructor(code: ErrorCode, message: string, options: AppErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.details = options.details ?? [];
    this.retryable = options.retryable ?? false;
    this.headers = options.headers ?? {};
  }

  get status(): number {
    return ERROR_STATUS[this.code];
  }
}

export const notFound = (what = 'resource') => new AppError('not_found', `${what} not found`);
/** If-Match named an older version than `what` has now (409, with the current version in the details). */
export const versionConflict = (what: string, current: number) =>
  new AppError('conflict', `${what} was changed by someone else: reload it and try again`, {
    details: [{ path: 'If-Match', message: `current version is ${current}`, currentVersion: current }],
  });
export const forbidden = (message = 'your role does not allow this') => new AppError('forbidden', message);
export const unauthenticated = (message = 'authentication required') => new AppError('unauthenticated', message);
