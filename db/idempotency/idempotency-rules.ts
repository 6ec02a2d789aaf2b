import { createHash } from 'node:crypto';

/** How long a completed response is replayed for (API.md: keys live 24 h). */
export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;

/**
 * How long an in-flight claim blocks its key. A process that dies mid-request leaves its claim
 * behind; after this lease a retry takes the key over instead of getting 409 for a whole day.
 * Longer than any request should run, so a slow request is not executed twice.
 */
export const IN_FLIGHT_LEASE_MS = 5 * 60 * 1000;

export const IDEMPOTENCY_HEADER = 'Idempotency-Key';

// Printable ASCII, space included; HTTP has already trimmed the ends.
const KEY_PATTERN = /^[\x20-\x7e]{1,255}$/;

export function isValidIdempotencyKey(key: string): boolean {
  return KEY_PATTERN.test(key);
}

/** JSON with object keys sorted at every depth, so `{a,b}` and `{b,a}` fingerprint alike. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value)) ?? 'null';
}

function sortKeys(value: unknown): unknown {
  // Dates (joi converts them) and other toJSON-bearing values serialise as JSON would.
  const plain =
    value !== null && typeof value === 'object' && typeof (value as { toJSON?: unknown }).toJSON === 'function'
      ? (value as { toJSON: () => unknown }).toJSON()
      : value;
  if (Array.isArray(plain)) return plain.map((item) => (item === undefined ? null : sortKeys(item)));
  if (plain === null || typeof plain !== 'object') return plain;
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(plain).sort()) {
    const item = (plain as Record<string, unknown>)[key];
    if (item !== undefined) sorted[key] = sortKeys(item);
  }
  return sorted;
}

export interface FingerprintInput {
  method: string;
  /** The URL path without its query string. */
  path: string;
  /** The validated query: what the handler acts on, in any key order. */
  query: unknown;
  /** The validated body. */
  body: unknown;
  /** An uploaded file's bytes (multipart routes): another file is another request. */
  upload?: Buffer;
}

/**
 * sha256 over method, path, query and body. The validated query and body are used rather than the
 * raw ones: fields the schema strips change nothing the handler does, and key order never matters.
 * The query is included because it changes meaning (e.g. `?allowDuplicate=true`).
 */
export function requestFingerprint(input: FingerprintInput): string {
  const upload = input.upload ? createHash('sha256').update(input.upload).digest('hex') : null;
  const canonical = canonicalJson([
    input.method.toUpperCase(),
    input.path,
    input.query ?? {},
    input.body ?? null,
    upload,
  ]);
  return createHash('sha256').update(canonical).digest('hex');
}

export type ExistingKeyDecision = 'take_over' | 'mismatch' | 'in_flight' | 'replay';

/**
 * What to do with a key that is already claimed. An expired claim is dead whatever it held, so it
 * is taken over before the fingerprint is compared.
 */
export function decideExistingKey(
  existing: { requestHash: string; status: 'in_flight' | 'completed'; expired: boolean },
  fingerprint: string,
): ExistingKeyDecision {
  if (existing.expired) return 'take_over';
  if (existing.requestHash !== fingerprint) return 'mismatch';
  if (existing.status === 'in_flight') return 'in_flight';
  return 'replay';
}

/** 5xx answers are not kept: the client may retry the same key. */
export function isStorableStatus(status: number): boolean {
  return status >= 200 && status < 500;
}
