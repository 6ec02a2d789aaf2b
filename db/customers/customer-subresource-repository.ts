import type { Trx } from '../knex.js';
import type { CustomerScope } from './customer-subresource-access.js';

/**
 * Marks the customer as changed when something embedded in its profile changed (tags, addresses), so
 * `updatedSince` readers and the POS write-through see it. The version is the row's own fields' version
 * and is left alone: tags and addresses carry their own concurrency.
 */
export async function touchCustomer(trx: Trx, scope: CustomerScope, customerId: string): Promise<void> {
  await trx('customers')
    .where({ organization_id: scope.orgId, store_id: scope.storeId, id: customerId })
    .update({ updated_at: trx.fn.now() });
}
