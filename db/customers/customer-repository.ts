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
