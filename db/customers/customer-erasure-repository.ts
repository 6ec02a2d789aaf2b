import type { Trx } from '../knex.js';
import type { CustomerScope } from './customer-subresource-access.js';
import { isUuid } from '../ids.js';

export interface ErasableCustomer {
  id: string;
  status: string;
  avatarKey: string | null;
}

/**
 * Locks the customer and every customer merged into it (directly or through a chain of merges):
 * they are the same person's older records, still holding what they held when merged.
 */
export async function lockCustomerWithMergedSources(
  trx: Trx,
  scope: CustomerScope,
  customerId: string,
): Promise<ErasableCustomer[]> {
  const { rows } = await trx.raw(
    `with recursive person as (
       select id from customers where organization_id = :orgId and store_id = :storeId and id = :customerId
       union
       select c.id from customers c join person p on c.merged_into_id = p.id
        where c.organization_id = :orgId and c.store_id = :storeId and c.status = 'merged'
     )
     select id, status, avatar_key from customers
      where organization_id = :orgId and store_id = :storeId and id in (select id from person)
      order by id
      for update`,
    { orgId: scope.orgId, storeId: scope.storeId, customerId },
  );
  return rows.map((r: { id: string; status: string; avatar_key: string | null }) => ({
    id: r.id,
    status: r.status,
    avatarKey: r.avatar_key,
  }));
}

export interface DeletedPersonalRecords {
  /** Ids of the deleted notes, addresses and documents (to find stored answers that showed them). */
  recordIds: string[];
  /** Files of the deleted documents, to delete once the erasure committed. */
  fileKeys: string[];
}

/** Deletes notes, tags, addresses and documents (with their blind indexes) of the customers. */
export async function deletePersonalRecords(
  trx: Trx,
  scope: CustomerScope,
  customerIds: string[],
): Promise<DeletedPersonalRecords> {
  const ofCustomers = (table: string) =>
    trx(table).where({ organization_id: scope.orgId, store_id: scope.storeId }).whereIn('customer_id', customerIds);
  const notes: Array<{ id: string }> = await ofCustomers('customer_notes').delete().returning(['id']);
  const addresses: Array<{ id: string }> = await ofCustomers('customer_addresses').delete().returning(['id']);
  const documents: Array<{ id: string; file_key: string | null }> = await ofCustomers('customer_documents')
    .delete()
    .returning(['id', 'file_key']);
  await ofCustomers('customer_tags').delete();
  return {
    recordIds: [...notes, ...addresses, ...documents].map((r) => r.id),
    fileKeys: documents.map((d) => d.file_key).filter((key): key is string => Boolean(key)),
  };
}

/**
 * Turns the rows into anonymous shells: every personal field, identity number (ciphertext, blind index,
 * last four, state, expiry), consent and avatar goes; the id, store, type, loyalty points and dates stay
 * so that counts and totals survive. The merge pointer goes too: it tied two records of one person.
 */
export async function anonymiseCustomers(trx: Trx, scope: CustomerScope, customerIds: string[]): Promise<void> {
  await trx('customers')
    .where({ organization_id: scope.orgId, store_id: scope.storeId })
    .whereIn('id', customerIds)
    .update({
      first_name: null,
      middle_name: null,
      last_name: null,
      birthday: null,
      email: null,
      phone: null,
      gender: null,
      drivers_license_ciphertext: null,
      drivers_license_bidx: null,
      drivers_license_last4: null,
      drivers_license_state: null,
      drivers_license_expires_on: null,
      medical_card_ciphertext: null,
      medical_card_bidx: null,
      medical_card_last4: null,
      medical_card_state: null,
      medical_card_expires_on: null,
      consents: '{}',
      avatar_key: null,
      avatar_content_type: null,
      merged_into_id: null,
      status: 'erased',
      erased_at: trx.fn.now(),
      updated_at: trx.fn.now(),
      version: trx.raw('version + 1'),
    });
}

/**
 * Stored idempotent answers (kept 24 h for replays) may show the person's data: drop those that name
 * one of the erased records (by their subjects; answers stored before sealing, by their text). Ids are
 * UUIDs, so they are safe inside the pattern.
 */
export async function deleteStoredAnswersNaming(trx: Trx, orgId: string, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  if (!ids.every((id) => isUuid(id))) throw new Error('record ids must be UUIDs');
  await trx('idempotency_keys')
    .where({ organization_id: orgId })
    .where((q) =>
      q
        .whereRaw('response_subjects && ?::uuid[]', [ids])
        .orWhere((legacy) => legacy.whereNotNull('response_body').whereRaw('response_body::text ~ ?', [ids.join('|')])),
    )
    .delete();
}
