// Personal data and secrets must never reach a log line: keys that name them are blanked, and any
// string that looks like one (an email, a phone number, a token) is scrubbed wherever it appears.
const SENSITIVE_KEY =
  /pass(word)?|secret|token|authorization|cookie|api[-_]?key|credential|private[-_]?key|email|phone|mobile|licen[cs]e|medical|card|ssn|birth|dob|(^|[-_])(first|last|middle|full|given|family|display)?[-_]?name$|^name$|address|street|line[12]|postal|zip|^q$|query/i;

const PATTERNS: Array<[RegExp, string]> = [
  [/\beyJ[\w-]+\.[\w-]+\.[\w-]*/g, '[jwt]'],
  [/\b(pk|rt)_(live|test)_[A-Za-z0-9_-]+/g, '[token]'],
  [/[^\s@"'<>(),;:]+@[^\s@"'<>(),;:]+\.[a-z]{2,}/gi, '[email]'],
  [/\+?\d[\d\s().-]{6,}\d/g, '[number]'],
];

export const REDACTED = '[redacted]';
const SAFE_KEYS = new Set([
  'requestId',
  'orgId',
  'storeId',
  'jobId',
  'userId',
  'route',
  'method',
  'status',
  'level',
  'timestamp',
  'durationMs',
  'service',
  'stack',
]);

export function scrubString(value: string): string {
  let out = value;
  for (const [pattern, replacement] of PATTERNS) out = out.replace(pattern, replacement);
  return out;
}

function isUuidLike(value: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);
}

/** Returns a copy of `value` with sensitive keys blanked and sensitive-looking strings scrubbed. */
export function redact(value: unknown, depth = 0, seen = new WeakSet<object>()): unknown {
  if (typeof value === 'string') return isUuidLike(value) ? value : scrubString(value);
  if (value === null || typeof value !== 'object') return value;
  if (depth > 8 || seen.has(value)) return '[truncated]';
  seen.add(value);
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Error) {
    return {
      name: value.name,
      message: scrubString(value.message),
      stack: value.stack ? scrubString(value.stack) : undefined,
    };
  }
  if (Array.isArray(value)) return value.map((item) => redact(item, depth + 1, seen));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
    if (SAFE_KEYS.has(key)) out[key] = item;
    // Counts and flags under a sensitive-sounding key (refreshTokens: 3) reveal nothing.
    else if (SENSITIVE_KEY.test(key) && typeof item !== 'number' && typeof item !== 'boolean') out[key] = REDACTED;
    else out[key] = redact(item, depth + 1, seen);
  }
  return out;
}
