import type { Trx } from '../knex.js';
import { cursorTimestamp, decodeCursor, toPage, type Page } from '../pagination.js';

export interface Organization {
  id: string;
  name: string;
  createdAt: Date;
  updatedAt: Date;
}

type OrganizationRow = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

// Microsecond cursor: a millisecond ISO string would repeat rows on the next page.
const CURSOR_AT = cursorTimestamp();

const toOrganization = (row: OrganizationRow): Organization => ({
  id: row.id,
  name: row.name,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

/** Platform scope only: organisations are not owned by a tenant. */
export async function insertOrganization(trx: Trx, name: string): Promise<Organization> {
  const [row] = await trx('organizations').insert({ name }).returning('*');
  return toOrganization(row);
}

export async function listOrganizations(
  trx: Trx,
  page: { limit: number; cursor?: string },
): Promise<Page<Organization>> {
  const query = trx('organizations')
    .select('*', trx.raw(CURSOR_AT))
    .orderBy([
      { column: 'created_at', order: 'asc' },
      { column: 'id', order: 'asc' },
    ])
    .limit(page.limit + 1);
  if (page.cursor) {
    const [at, id] = decodeCursor(page.cursor);
    query.whereRaw('(created_at, id) > (?::timestamptz, ?::uuid)', [at, id]);
  }
  const rows: OrganizationRow[] = await query;
  const { data, nextCursor } = toPage(rows, page.limit, (r) => [r.cursor_at, r.id]);
  return { data: data.map(toOrganization), nextCursor };
}
