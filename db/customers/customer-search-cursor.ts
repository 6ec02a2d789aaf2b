import { createHash } from 'node:crypto';
import { AppError } from '../../config/errors.js';
import { decodeCursor, encodeCursor, type CursorValues } from '../pagination.js';
import { isUuid } from '../ids.js';

// Search cursors: signed by db/pagination.ts (a forged one is a 400), and carrying which search they
// belong to, so a cursor of one query cannot page through another.
//   list:   ['l', fingerprint, created_at with microseconds, id]
//   search: ['s', fingerprint, name tier, score, id]

export type Position =
  { mode: 'list'; at: string; id: string } | { mode: 'search'; tier: number; score: number; id: string };

/** A short digest of what was asked (everything but limit and cursor). */
export function fingerprint(params: Record<string, unknown>): string {
  const { limit: _limit, cursor: _cursor, ...asked } = params;
  const canonical = JSON.stringify(Object.entries(asked).sort(([a], [b]) => a.localeCompare(b)));
  return createHash('sha256').update(canonical).digest('base64url').slice(0, 12);
}

const MICRO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

export function readCursor(cursor: string, print: string, mode: Position['mode'], tiers: number): Position {
  const values = decodeCursor(cursor);
  const wrong = () =>
    new AppError('validation_failed', 'query.cursor belongs to another search', {
      details: [{ path: 'query.cursor', message: 'belongs to another search: use the nextCursor of the same query' }],
    });
  if (values[1] !== print) throw wrong();
  if (mode === 'list') {
    const [kind, , at, id] = values;
    if (kind !== 'l' || typeof at !== 'string' || !MICRO_TIMESTAMP.test(at) || !isUuid(id)) throw wrong();
    return { mode, at, id };
  }
  const [kind, , tier, score, id] = values;
  const valid =
    kind === 's' &&
    Number.isInteger(tier) &&
    (tier as number) >= 0 &&
    (tier as number) < tiers &&
    typeof score === 'number' &&
    score >= 0 &&
    score <= 1 &&
    typeof id === 'string' &&
    isUuid(id);
  if (!valid) throw wrong();
  return { mode, tier: tier as number, score: score as number, id: id as string };
}

/** The page (rows were fetched with limit + 1) and the cursor of its last row when more follow. */
export function pageOf<Row>(rows: Row[], limit: number, keyOf: (row: Row) => CursorValues) {
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return { rows: page, nextCursor: rows.length > limit && last ? encodeCursor(keyOf(last)) : null };
}
