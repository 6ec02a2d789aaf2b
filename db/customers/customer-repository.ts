import type { Trx } from '../knex.js';
import { customerFromRow, type Customer } from './customer-model.js';
import { loadRelatedOne } from './customer-related-repository.js';

// Only this file and its siblings in db/customers touch the customers table.

export interface FindOptions {
  /** Lock the row for the rest of the transaction (updates, merges, erasure). */
  forUpdate?: boolean;
}

/** The raw row (snake_case) of a customer of this store, whatever its status; undefined if not there. */
export async function findCustomerRow(trx: Trx, orgId: string, storeId: string, id: string, options: FindOptions = {}) {
  const query = trx('customers').where({ organization_id: orgId, store_id: storeId, id }).first();
  if (options.forUpdate) query.forUpdate();
  return query;
}

/** A customer of this store with its tags, addresses and POS refs, whatever its status. */
export async function findCustomer(
  trx: Trx,
  orgId: string,
  storeId: string,
  id: string,
  options: FindOptions = {},
): Promise<Customer | undefined> {
  const row = await findCustomerRow(trx, orgId, storeId, id, options);
  if (!row) return undefined;
  return customerFromRow(row, await loadRelatedOne(trx, storeId, id));
}

/** The customer a POS id of this store points at, with the state needed to follow a merge. */
export async function findByExternalRef(
  trx: Trx,
  orgId: string,
  storeId: string,
  ref: { provider: string; externalId: string },
): Promise<{ id: string; status: string; mergedIntoId: string | null } | undefined> {
  const row = await trx('customer_external_refs as r')
    .join('customers as c', 'c.id', 'r.customer_id')
    .where({
      'r.organization_id': orgId,
      'r.store_id': storeId,
      'r.provider': ref.provider,
      'r.external_id': ref.externalId,
    })
    .first('c.id', 'c.status', 'c.merged_into_id');
  return row && { id: row.id, status: row.status, mergedIntoId: row.merged_into_id };
}

export interface IdentifierProbe {
  email: string | null;
  phone: string | null;
  driversLicenseBidx: string | null;
}

/**
 * The live (active or inactive) customer of this store an upsert should update: by email, else phone,
 * else licence; among several, the oldest (the original record), so the answer is stable.
 */
export async function findByIdentifiers(
  trx: Trx,
  orgId: string,
  storeId: string,
  probe: IdentifierProbe,
): Promise<string | undefined> {
  const tests: Array<[string, string]> = [];
  if (probe.email) tests.push(['email', probe.email]);
  if (probe.phone) tests.push(['phone', probe.phone]);
  if (probe.driversLicenseBidx) tests.push(['drivers_license_bidx', probe.driversLicenseBidx]);
  if (tests.length === 0) return undefined;
  const rank = tests.map(([column], i) => `when ${column} = ? then ${i}`).join(' ');
  const row = await trx('customers')
    .where({ organization_id: orgId, store_id: storeId })
    .whereIn('status', ['active', 'inactive'])
    .where((q) => {
      for (const [column, value] of tests) q.orWhere(column, value);
    })
    .orderByRaw(
      `case ${rank} end, created_at, id`,
      tests.map(([, value]) => value),
    )
    .first('id');
  return row?.id;
}
