import type { Knex } from 'knex';
import type { Trx } from '../knex.js';
import { NO_RELATED, type Address, type CustomerRelated, type ExternalRef } from './customer-model.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function addressFromRow(r: Record<string, any>): Address {
  return {
    id: r.id,
    type: r.type,
    line1: r.line1,
    line2: r.line2,
    city: r.city,
    region: r.region,
    postalCode: r.postal_code,
    country: r.country,
    isDefault: r.is_default,
    version: r.version,
  };
}

/** Tags, addresses and POS refs of many customers in one query (a page of search results, a profile). */
export async function loadRelated(
  trx: Trx,
  storeId: string,
  customerIds: string[],
): Promise<Map<string, CustomerRelated>> {
  const out = new Map<string, CustomerRelated>(
    customerIds.map((id) => [id, { tags: [], addresses: [], externalRefs: [] }]),
  );
  if (customerIds.length === 0) return out;
  // One round trip for all three: a page of search results or a profile asks this on every request.
  const { rows } = await trx.raw(`select x.id, ${RELATED_COLUMNS} from unnest(?::uuid[]) as x(id)`, [
    storeId,
    storeId,
    storeId,
    customerIds,
  ]);
  for (const row of rows as RelatedRow[]) out.set(row.id, relatedFromRow(row));
  return out;
}

/** The related rows of customer `x` as three JSON columns; three `?` bindings, each the store id. */
const RELATED_COLUMNS = `coalesce((select json_agg(t.label order by t.label) from customer_tags t
                       where t.store_id = ? and t.customer_id = x.id), '[]'::json) as related_tags,
            coalesce((select json_agg(a order by a.created_at, a.id) from customer_addresses a
                       where a.store_id = ? and a.customer_id = x.id), '[]'::json) as related_addresses,
            coalesce((select json_agg(json_build_object('provider', r.provider, 'externalId', r.external_id)
                                      order by r.provider, r.external_id)
                        from customer_external_refs r
                       where r.store_id = ? and r.customer_id = x.id), '[]'::json) as related_refs`;

interface RelatedRow {
  id: string;
  related_tags: string[];
  related_addresses: Record<string, unknown>[];
  related_refs: ExternalRef[];
}

/**
 * A page of customer rows with their related rows folded in (what loadRelated would add), so a page
 * and everything it shows come back in one statement. `orderBy` repeats the page's order over `x`.
 */
export function withRelated(db: Knex, storeId: string, page: Knex.QueryBuilder | Knex.Raw, orderBy: string): Knex.Raw {
  return db.raw(`select x.*, ${RELATED_COLUMNS} from (?) as x order by ${orderBy}`, [storeId, storeId, storeId, page]);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function relatedFromRow(row: Record<string, any>): CustomerRelated {
  return {
    tags: row.related_tags,
    addresses: row.related_addresses.map(addressFromRow),
    externalRefs: row.related_refs,
  };
}

export async function loadRelatedOne(trx: Trx, storeId: string, customerId: string): Promise<CustomerRelated> {
  return (await loadRelated(trx, storeId, [customerId])).get(customerId) ?? NO_RELATED;
}
