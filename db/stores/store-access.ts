import type { Db, Trx } from '../knex.js';
import { tenantRead } from '../tenant.js';

export interface StoreAccess {
  id: string;
  organizationId: string;
  name: string;
  timezone: string;
  country: string;
  currency: string;
}

/**
 * The store if the caller may reach it: in the organisation, and — unless `allStores` (admins) —
 * one the user was given access to. Absent and unreachable look the same on purpose.
 */
export async function findReachableStore(
  trx: Trx,
  orgId: string,
  storeId: string,
  reach: StoreReach,
): Promise<StoreAccess | undefined> {
  const query = trx('stores as s')
    .select('s.id', 's.organization_id', 's.name', 's.timezone', 's.country', 's.currency')
    .where({ 's.id': storeId, 's.organization_id': orgId })
    .first();
  if ('userId' in reach) {
    query.whereExists((q) =>
      q
        .select(trx.raw('1'))
        .from('user_store_access as a')
        .where('a.store_id', trx.ref('s.id'))
        .andWhere('a.user_id', reach.userId),
    );
  }
  const row: StoreRow | undefined = await query;
  return row && storeAccessFromRow(row);
}

const storeAccessFromRow = (row: StoreRow): StoreAccess => ({
  id: row.id,
  organizationId: row.organization_id,
  name: row.name,
  timezone: row.timezone,
  country: row.country,
  currency: row.currency,
});

interface StoreRow {
  id: string;
  organization_id: string;
  name: string;
  timezone: string;
  country: string;
  currency: string;
}

export type StoreReach = { allStores: true } | { userId: string };

/** findReachableStore as one statement with `$n` placeholders, to send alone or inside a larger message. */
export function reachableStoreStatement(orgId: string, storeId: string, reach: StoreReach) {
  const grant =
    'userId' in reach
      ? ' and exists (select 1 from user_store_access a where a.store_id = s.id and a.user_id = $3 and a.organization_id = $2)'
      : '';
  return {
    sql: `select s.id, s.organization_id, s.name, s.timezone, s.country, s.currency
            from stores s where s.id = $1 and s.organization_id = $2${grant}`,
    params: 'userId' in reach ? [storeId, orgId, reach.userId] : [storeId, orgId],
    reusePlan: true,
  };
}

/** The StoreAccess of a row the reachable-store statement returned (or undefined for none). */
export const reachableStoreOf = (rows: readonly object[]): StoreAccess | undefined =>
  rows[0] && storeAccessFromRow(rows[0] as StoreRow);

/**
 * findReachableStore in one round trip (tenantRead): every store-scoped request asks it first, so it
 * sits on the path of every counter search.
 */
export async function findReachableStoreFast(
  db: Db,
  orgId: string,
  storeId: string,
  reach: StoreReach,
): Promise<StoreAccess | undefined> {
  const { sql, params } = reachableStoreStatement(orgId, storeId, reach);
  return reachableStoreOf(await tenantRead<StoreRow>(db, { orgId }, sql, params));
}

export async function organizationExists(trx: Trx, orgId: string): Promise<boolean> {
  return Boolean(await trx('organizations').where({ id: orgId }).first('id'));
}
