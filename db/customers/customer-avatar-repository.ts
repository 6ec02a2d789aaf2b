import type { Trx } from '../knex.js';
import type { CustomerScope } from './customer-subresource-access.js';

/** Points the customer at a new avatar file; the avatar is a field of the customer, so its version moves. */
export async function setCustomerAvatar(
  trx: Trx,
  scope: CustomerScope,
  customerId: string,
  avatar: { key: string; contentType: string },
): Promise<void> {
  await trx('customers')
    .where({ organization_id: scope.orgId, store_id: scope.storeId, id: customerId })
    .update({
      avatar_key: avatar.key,
      avatar_content_type: avatar.contentType,
      version: trx.raw('version + 1'),
      updated_at: trx.fn.now(),
    });
}
