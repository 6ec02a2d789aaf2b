import { cursorTimestamp, decodeCursor, toPage, type Page } from '../pagination.js';
import type { Trx } from '../knex.js';

export interface Store {
  id: string;
  organizationId: string;
  name: string;
  timezone: string;
  country: string;
  currency: string;
  externalAccountId: string | null;
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface StoreFields {
  name: string;
  timezone: string;
  country: string;
  currency: string;
  externalAccountId: string | null;
}

type StoreRow = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

// The cursor keeps created_at to the microsecond: a millisecond ISO string would repeat rows on the next page.
const CURSOR_AT = cursorTimestamp();

function toStore(row: StoreRow): Store {
  return {
    id: row.id,
    organizationId: row.organization_id,
    name: row.name,
    timezone: row.timezone,
    country: row.country,
    currency: row.currency,
    externalAccountId: row.external_account_id,
    version: row.version,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function toColumns(fields: Partial<StoreFields>): Record<string, unknown> {
  const columns: Record<string, unknown> = {};
  if (fields.name !== undefined) columns.name = fields.name;
  if (fields.timezone !== undefined) columns.timezone = fields.timezone;
  if (fields.country !== undefined) columns.country = fields.country;
  if (fields.currency !== undefined) columns.currency = fields.currency;
  if (fields.externalAccountId !== undefined) columns.external_account_id = fields.externalAccountId;
  return columns;
}

export async function insertStore(trx: Trx, orgId: string, fields: StoreFields): Promise<Store> {
  const [row] = await trx('stores')
    .insert({ organization_id: orgId, ...toColumns(fields) })
    .returning('*');
  return toStore(row);
}

export async function findStore(
  trx: Trx,
  orgId: string,
  storeId: string,
  options: { forUpdate?: boolean } = {},
): Promise<Store | undefined> {
  const query = trx('stores').where({ id: storeId, organization_id: orgId }).first();
  if (options.forUpdate) query.forUpdate();
  const row = await query;
  return row ? toStore(row) : undefined;
}

/** Applies the change only if the row still has `version`; undefined means someone else got there first. */
export async function updateStore(
  trx: Trx,
  orgId: string,
  storeId: string,
  version: number,
  fields: Partial<StoreFields>,
): Promise<Store | undefined> {
  const [row] = await trx('stores')
    .where({ id: storeId, organization_id: orgId, version })
    .update({ ...toColumns(fields), version: version + 1, updated_at: trx.fn.now() })
    .returning('*');
  return row ? toStore(row) : undefined;
}

export async function listStores(
  trx: Trx,
  orgId: string,
  page: { limit: number; cursor?: string },
): Promise<Page<Store>> {
  const query = trx('stores')
    .select('*', trx.raw(CURSOR_AT))
    .where({ organization_id: orgId })
    .orderBy([
      { column: 'created_at', order: 'asc' },
      { column: 'id', order: 'asc' },
    ])
    .limit(page.limit + 1);
  if (page.cursor) {
    const [at, id] = decodeCursor(page.cursor);
    query.whereRaw('(created_at, id) > (?::timestamptz, ?::uuid)', [at, id]);
  }
  const rows: StoreRow[] = await query;
  const { data, nextCursor } = toPage(rows, page.limit, (r) => [r.cursor_at, r.id]);
  return { data: data.map(toStore), nextCursor };
}

/** Ids among `storeIds` that are not stores of the organisation. */
export async function findForeignStoreIds(trx: Trx, orgId: string, storeIds: string[]): Promise<string[]> {
  if (storeIds.length === 0) return [];
  const found = await trx('stores').where({ organization_id: orgId }).whereIn('id', storeIds).pluck('id');
  const known = new Set<string>(found);
  return storeIds.filter((id) => !known.has(id));
}
