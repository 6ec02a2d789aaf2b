import type { Trx } from '../knex.js';
import { NO_RELATED, type Address, type CustomerRelated } from './customer-model.js';

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

/** Tags, addresses and POS refs of many customers in three queries (a page of search results, a profile). */
export async function loadRelated(
  trx: Trx,
  storeId: string,
  customerIds: string[],
): Promise<Map<string, CustomerRelated>> {
  const out = new Map<string, CustomerRelated>(
    customerIds.map((id) => [id, { tags: [], addresses: [], externalRefs: [] }]),
  );
  if (customerIds.length === 0) return out;
  // One transaction is one connection: its queries run one after another, never in parallel.
  const tags = await trx('customer_tags')
    .where({ store_id: storeId })
    .whereIn('customer_id', customerIds)
    .orderBy('label')
    .select('customer_id', 'label');
  const addresses = await trx('customer_addresses')
    .where({ store_id: storeId })
    .whereIn('customer_id', customerIds)
    .orderBy([{ column: 'created_at' }, { column: 'id' }]);
  const refs = await trx('customer_external_refs')
    .where({ store_id: storeId })
    .whereIn('customer_id', customerIds)
    .orderBy('provider')
    .select('customer_id', 'provider', 'external_id');
  for (const t of tags) out.get(t.customer_id)!.tags.push(t.label);
  for (const a of addresses) out.get(a.customer_id)!.addresses.push(addressFromRow(a));
  for (const r of refs) out.get(r.customer_id)!.externalRefs.push({ provider: r.provider, externalId: r.external_id });
  return out;
}

export async function loadRelatedOne(trx: Trx, storeId: string, customerId: string): Promise<CustomerRelated> {
  return (await loadRelated(trx, storeId, [customerId])).get(customerId) ?? NO_RELATED;
}
