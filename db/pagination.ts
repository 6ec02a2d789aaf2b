import { createHmac, timingSafeEqual } from 'node:crypto';
import { config } from '../config/env.js';
import { AppError } from '../config/errors.js';

// Cursors are opaque to clients and signed, so a forged or edited one is refused (400), not trusted.
const key = createHmac('sha256', config.auth.jwtSecret).update('patron-cursor-v1').digest();

function sign(payload: string): string {
  return createHmac('sha256', key).update(payload).digest('base64url').slice(0, 22);
}

export type CursorValues = Array<string | number | null>;

export function encodeCursor(values: CursorValues): string {
  const payload = Buffer.from(JSON.stringify(values)).toString('base64url');
  return `${payload}.${sign(payload)}`;
}

export function decodeCursor(cursor: string): CursorValues {
  const invalid = () =>
    new AppError('validation_failed', 'cursor is not valid: use the nextCursor of a previous page', {
      details: [{ path: 'query.cursor', message: 'is not a cursor this service issued' }],
    });
  const [payload, signature] = cursor.split('.');
  if (!payload || !signature) throw invalid();
  const expected = Buffer.from(sign(payload));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) throw invalid();
  try {
    const values = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    if (!Array.isArray(values)) throw invalid();
    return values;
  } catch {
    throw invalid();
  }
}

export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

/**
 * Keyset pagination over rows fetched with `limit + 1`: the extra row only says another page exists.
 * `keyOf` gives the ordered key values of a row (e.g. [createdAt ISO, id]).
 */
export function toPage<T>(rows: T[], limit: number, keyOf: (row: T) => CursorValues): Page<T> {
  const data = rows.slice(0, limit);
  const last = data[data.length - 1];
  return { data, nextCursor: rows.length > limit && last ? encodeCursor(keyOf(last)) : null };
}

/**
 * A timestamptz column as cursor text with microseconds, aliased `cursor_at`. PostgreSQL keeps
 * microseconds; a JS Date keeps milliseconds, so a cursor built from a Date would repeat rows.
 */
export const cursorTimestamp = (column = 'created_at') =>
  `to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as cursor_at`;
