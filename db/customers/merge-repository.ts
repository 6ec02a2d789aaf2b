import type { Trx } from '../knex.js';
import { findCustomerRow } from './customer-repository.js';

// The writes of a merge, each one statement scoped by organisation and store. The caller holds the
// row locks of both customers (lockPair) for the whole transaction.

type Scope = { orgId: string; storeId: string };
type Row = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/**
 * Locks both customers, always in id order, so two merges of the same pair (either direction) queue
 * behind each other instead of deadlocking. Missing rows come back undefined.
 */
export async function lockPair(trx: Trx, scope: Scope, ids: [string, string]): Promise<Map<string, Row | undefined>> {
  const out = new Map<string, Row | undefined>();
  for (const id of [...ids].sort()) {
    out.set(id, await findCustomerRow(trx, scope.orgId, scope.storeId, id, { forUpdate: true }));
  }
  return out;
}

function columns(patch: Row): Row {
  const out: Row = { ...patch };
  if ('consents' in out) out.consents = JSON.stringify(out.consents ?? {});
  return out;
}

const customers = (trx: Trx, scope: Scope) =>
  trx('customers').where({ organization_id: scope.orgId, store_id: scope.storeId });

export async function updateSurvivor(trx: Trx, scope: Scope, id: string, patch: Row): Promise<void> {
  await customers(trx, scope)
    .where({ id })
    .update({ ...columns(patch), version: trx.raw('version + 1'), updated_at: trx.fn.now() });
}

export async function markMerged(
  trx: Trx,
  scope: Scope,
  sourceId: string,
  targetId: string,
  patch: Row,
): Promise<void> {
  await customers(trx, scope)
    .where({ id: sourceId })
    .update({
      ...columns(patch),
      status: 'merged',
      merged_into_id: targetId,
      version: trx.raw('version + 1'),
      updated_at: trx.fn.now(),
    });
}

/** Customers merged earlier into the source now point at the survivor, so every old id leads to a live one. */
export async function repointMergedInto(trx: Trx, scope: Scope, sourceId: string, targetId: string): Promise<string[]> {
  const rows = await customers(trx, scope)
    .where({ merged_into_id: sourceId, status: 'merged' })
    .update({ merged_into_id: targetId, version: trx.raw('version + 1'), updated_at: trx.fn.now() })
    .returning('id');
  return rows.map((r: { id: string }) => r.id);
}

/** Union of the labels, case-insensitive: a label the survivor already has is dropped from the source. */
export async function moveTags(trx: Trx, scope: Scope, sourceId: string, targetId: string): Promise<number> {
  const { rowCount } = await trx.raw(
    `update customer_tags s set customer_id = :targetId
      where s.organization_id = :orgId and s.store_id = :storeId and s.customer_id = :sourceId
        and not exists (select 1 from customer_tags t
                         where t.customer_id = :targetId and lower(t.label) = lower(s.label))`,
    { ...scope, sourceId, targetId },
  );
  await trx('customer_tags')
    .where({ ...own(scope), customer_id: sourceId })
    .delete();
  return rowCount ?? 0;
}

const own = (scope: Scope) => ({ organization_id: scope.orgId, store_id: scope.storeId });

export async function moveNotes(trx: Trx, scope: Scope, sourceId: string, targetId: string): Promise<number> {
  return trx('customer_notes')
    .where({ ...own(scope), customer_id: sourceId })
    .update({ customer_id: targetId });
}

export async function moveDocuments(trx: Trx, scope: Scope, sourceId: string, targetId: string): Promise<number> {
  return trx('customer_documents')
    .where({ ...own(scope), customer_id: sourceId })
    .update({ customer_id: targetId });
}

export async function moveExternalRefs(trx: Trx, scope: Scope, sourceId: string, targetId: string): Promise<number> {
  return trx('customer_external_refs')
    .where({ ...own(scope), customer_id: sourceId })
    .update({ customer_id: targetId });
}

/**
 * Addresses move; one default per type remains: where the survivor has a default of that type, it
 * wins and the source's default becomes an ordinary address.
 */
export async function moveAddresses(trx: Trx, scope: Scope, sourceId: string, targetId: string): Promise<number> {
  const { rowCount } = await trx.raw(
    `update customer_addresses s
        set customer_id = :targetId,
            is_default = s.is_default and not exists (
              select 1 from customer_addresses t
               where t.customer_id = :targetId and t.type = s.type and t.is_default),
            version = s.version + 1,
            updated_at = now()
      where s.organization_id = :orgId and s.store_id = :storeId and s.customer_id = :sourceId`,
    { ...scope, sourceId, targetId },
  );
  return rowCount ?? 0;
}
