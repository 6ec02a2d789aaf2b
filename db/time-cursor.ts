import type { Knex } from 'knex';
import { AppError } from '../config/errors.js';
import type { Trx } from './knex.js';
import { cursorTimestamp, decodeCursor, toPage, type Page } from './pagination.js';
import { isUuid } from './ids.js';

// Keyset pages over (created_at, id): the lists of a customer's notes, addresses, documents and history,
// a store's API keys and POS syncs.

export interface TimeCursor {
  at: string;
  id: string;
}

export interface PageRequest {
  limit: number;
  cursor?: string;
}

/** A signed cursor of another list has another shape: refuse it rather than let SQL choke on it. */
export function decodeTimeCursor(cursor: string | undefined): TimeCursor | undefined {
  if (cursor === undefined) return undefined;
  const [at, id] = decodeCursor(cursor);
  if (typeof at !== 'string' || Number.isNaN(Date.parse(at)) || !isUuid(id)) {
    throw new AppError('validation_failed', 'cursor is not valid: use the nextCursor of a previous page', {
      details: [{ path: 'query.cursor', message: 'is not a cursor of this list' }],
    });
  }
  return { at, id };
}

/**
 * Orders a query by (created_at, id) and fetches one row past the page (it only says another page
 * follows). Rows carry `cursor_at`, the timestamp with its microseconds.
 */
export function keysetPage(
  trx: Trx,
  query: Knex.QueryBuilder,
  page: { limit: number; after?: TimeCursor },
  direction: 'asc' | 'desc',
): Knex.QueryBuilder {
  query
    .select(trx.raw(cursorTimestamp()))
    .orderBy([
      { column: 'created_at', order: direction },
      { column: 'id', order: direction },
    ])
    .limit(page.limit + 1);
  if (page.after) {
    const op = direction === 'asc' ? '>' : '<';
    query.whereRaw(`(created_at, id) ${op} (?::timestamptz, ?::uuid)`, [page.after.at, page.after.id]);
  }
  return query;
}

/** Items carrying their cursor position → the API page, positions removed. */
export function pageOfItems<T extends { id: string }>(
  rows: Array<{ item: T; cursorAt: string }>,
  limit: number,
): Page<T> {
  const page = toPage(rows, limit, (r) => [r.cursorAt, r.item.id]);
  return { data: page.data.map((r) => r.item), nextCursor: page.nextCursor };
}
