import type { Trx } from '../knex.js';
import type { CustomerScope } from './customer-subresource-access.js';

export interface CustomerTag {
  id: string;
  label: string;
  createdAt: Date;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const tagFromRow = (r: Record<string, any>): CustomerTag => ({ id: r.id, label: r.label, createdAt: r.created_at });

/**
 * Adds a tag unless the customer already has one with the same label in any case (unique index on
 * lower(label)); `created` says which happened, `tag` is the stored one.
 */
export async function insertTagIfAbsent(
  trx: Trx,
  scope: CustomerScope,
  customerId: string,
  label: string,
  createdBy: string | null,
): Promise<{ tag: CustomerTag; created: boolean }> {
  const inserted = await trx.raw(
    `insert into customer_tags (organization_id, store_id, customer_id, label, created_by)
     values (?, ?, ?, ?, ?)
     on conflict (customer_id, lower(label)) do nothing
     returning id, label, created_at`,
    [scope.orgId, scope.storeId, customerId, label, createdBy],
  );
  if (inserted.rows.length > 0) return { tag: tagFromRow(inserted.rows[0]), created: true };
  const existing = await trx('customer_tags')
    .where({ organization_id: scope.orgId, store_id: scope.storeId, customer_id: customerId })
    .whereRaw('lower(label) = lower(?)', [label])
    .first('id', 'label', 'created_at');
  return { tag: tagFromRow(existing), created: false };
}

/** Removes the tag whatever the case of `label`; the removed tag, or undefined if there was none. */
export async function deleteTag(
  trx: Trx,
  scope: CustomerScope,
  customerId: string,
  label: string,
): Promise<CustomerTag | undefined> {
  const [row] = await trx('customer_tags')
    .where({ organization_id: scope.orgId, store_id: scope.storeId, customer_id: customerId })
    .whereRaw('lower(label) = lower(?)', [label])
    .delete()
    .returning(['id', 'label', 'created_at']);
  return row ? tagFromRow(row) : undefined;
}
