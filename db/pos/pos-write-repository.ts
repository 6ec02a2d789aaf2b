import type { Trx } from '../knex.js';

export type PosSyncStatus = 'none' | 'pending' | 'synced' | 'failed';

export interface PendingPosWrite {
  orgId: string;
  storeId: string;
  customerId: string;
  operation: 'create' | 'update';
}

/**
 * Sets the customer's POS write state without bumping its version: the state is the job's bookkeeping,
 * not an edit. With `ifVersion`, only while the customer is still that version and still pending (an edit
 * made while the POS call ran keeps it pending for the next write).
 */
export async function setPosSyncStatus(
  trx: Trx,
  orgId: string,
  storeId: string,
  customerId: string,
  status: PosSyncStatus,
  options: { ifVersion?: number } = {},
): Promise<boolean> {
  const query = trx('customers').where({ organization_id: orgId, store_id: storeId, id: customerId });
  if (options.ifVersion !== undefined) query.where({ version: options.ifVersion, pos_sync_status: 'pending' });
  return (await query.update({ pos_sync_status: status })) > 0;
}

/** The POS id of the customer at the given provider, if it has one. */
export async function findPosRef(
  trx: Trx,
  orgId: string,
  storeId: string,
  customerId: string,
  provider: string,
): Promise<string | undefined> {
  const row = await trx('customer_external_refs')
    .where({ organization_id: orgId, store_id: storeId, customer_id: customerId, provider })
    .orderBy('external_id')
    .first('external_id');
  return row?.external_id;
}

/** Pending customers of every organisation, locked for the caller's transaction (skipping locked ones). */
export async function lockPendingPosWrites(trx: Trx, limit: number): Promise<PendingPosWrite[]> {
  const { rows } = await trx.raw('select * from pos_write_pending(?)', [limit]);
  return rows.map((r: Record<string, string>) => ({
    orgId: r.organization_id,
    storeId: r.store_id,
    customerId: r.customer_id,
    operation: r.operation as PendingPosWrite['operation'],
  }));
}
