import { AppError, notFound } from '../../config/errors.js';
import { recordAudit } from '../audit/audit-repository.js';
import type { ServiceContext } from '../context.js';
import type { Customer } from '../customers/customer-model.js';
import { findCustomer } from '../customers/customer-repository.js';
import { insertExternalRef } from '../customers/customer-write-repository.js';
import type { Db } from '../knex.js';
import { findStore } from '../stores/store-repository.js';
import { withTenant } from '../tenant.js';
import type { PosSettingsRow } from './pos-settings-repository.js';
import { posWriteNeeded } from './pos-write-intent.js';
import { lockPendingPosWrites, setPosSyncStatus, type PendingPosWrite } from './pos-write-repository.js';

// The pos-write job's reads and writes, and a manager's retry. The POS call itself happens in jobs/,
// between these transactions: no row lock is held while a vendor answers.

export interface PosWrite {
  customer: Customer;
  settings: PosSettingsRow;
  store: { timezone: string };
  operation: 'create' | 'update';
  externalId?: string;
}

const LIVE = ['active', 'inactive'];

/**
 * The write a pending customer needs now, or undefined when there is none (already written, deleted,
 * or the store's POS no longer takes it: then the customer goes back to `none`).
 */
export async function loadPosWrite(
  db: Db,
  orgId: string,
  storeId: string,
  customerId: string,
): Promise<PosWrite | undefined> {
  return withTenant(db, { orgId }, async (trx) => {
    const customer = await findCustomer(trx, orgId, storeId, customerId);
    if (!customer || customer.posSyncStatus !== 'pending') return undefined;
    const needed = LIVE.includes(customer.status) ? await posWriteNeeded(trx, orgId, storeId, customerId) : undefined;
    const store = needed && (await findStore(trx, orgId, storeId));
    if (!needed || !store) {
      await setPosSyncStatus(trx, orgId, storeId, customerId, 'none');
      return undefined;
    }
    return { customer, store: { timezone: store.timezone }, ...needed };
  });
}

/**
 * The POS took the write: a new POS id is attached, and the customer is `synced` unless it was edited
 * while the call ran (then it stays pending and the next write pushes the newer values, by this id).
 */
export async function completePosWrite(
  db: Db,
  write: PosWrite,
  created?: { externalId: string },
): Promise<'synced' | 'pending'> {
  const { organizationId: orgId, storeId, id } = write.customer;
  return withTenant(db, { orgId }, async (trx) => {
    if (created) {
      await insertExternalRef(trx, orgId, storeId, id, { provider: write.settings.provider, ...created });
    }
    const synced = await setPosSyncStatus(trx, orgId, storeId, id, 'synced', { ifVersion: write.customer.version });
    return synced ? 'synced' : 'pending';
  });
}

/** The POS refused the write for good, or every retry failed: `failed`, for a manager to retry. */
export async function failPosWrite(db: Db, orgId: string, storeId: string, customerId: string): Promise<void> {
  await withTenant(db, { orgId }, (trx) => setPosSyncStatus(trx, orgId, storeId, customerId, 'failed'));
}

/**
 * Locks up to `limit` pending customers of every organisation (skipping rows locked by an edit in flight)
 * and answers their ids, for the dispatcher to enqueue once this transaction has ended.
 */
export async function listPendingPosWrites(db: Db, limit: number): Promise<PendingPosWrite[]> {
  return withTenant(db, { platform: true }, (trx) => lockPendingPosWrites(trx, limit));
}

/** A manager asks for the customer to be written to the store's POS again: it becomes `pending`. */
export async function retryPosWrite(db: Db, ctx: ServiceContext, customerId: string): Promise<Customer> {
  const storeId = ctx.storeId;
  if (!storeId) throw new AppError('internal', 'a POS write belongs to a store');
  return withTenant(db, { orgId: ctx.orgId }, async (trx) => {
    const customer = await findCustomer(trx, ctx.orgId, storeId, customerId, { forUpdate: true });
    if (!customer) throw notFound('customer');
    if (!LIVE.includes(customer.status)) {
      throw new AppError('conflict', `a ${customer.status} customer is not written to the POS`);
    }
    if (!(await posWriteNeeded(trx, ctx.orgId, storeId, customerId))) {
      throw new AppError('pos_not_configured', "this store's POS does not take this write");
    }
    await setPosSyncStatus(trx, ctx.orgId, storeId, customerId, 'pending');
    await recordAudit(trx, ctx, {
      action: 'customer.pos_sync_retried',
      subjectType: 'customer',
      subjectId: customerId,
    });
    return { ...customer, posSyncStatus: 'pending' };
  });
}
