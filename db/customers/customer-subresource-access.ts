import { AppError, notFound } from '../../config/errors.js';
import type { ServiceContext } from '../context.js';
import type { Trx } from '../knex.js';
import { findCustomerRow } from './customer-repository.js';

// Shared by the services of a customer's tags, notes, addresses, documents and avatar.

export interface CustomerScope {
  orgId: string;
  storeId: string;
}

export function scopeOf(ctx: ServiceContext): CustomerScope {
  if (!ctx.storeId) throw new AppError('internal', 'customer sub-resources are reached within a store');
  return { orgId: ctx.orgId, storeId: ctx.storeId };
}

/** The customer's row whatever its status (reads: an erased customer simply has nothing left). */
export async function customerForRead(trx: Trx, scope: CustomerScope, customerId: string) {
  const row = await findCustomerRow(trx, scope.orgId, scope.storeId, customerId);
  if (!row) throw notFound('customer');
  return row;
}

/**
 * Locks the customer's row for the rest of the transaction, so a change to its sub-resources is
 * serialised with a merge or an erasure of the same customer, and refuses customers that can no
 * longer change: a merged one (change the survivor), a deleted one, an erased one.
 */
export async function customerForChange(trx: Trx, scope: CustomerScope, customerId: string) {
  const row = await findCustomerRow(trx, scope.orgId, scope.storeId, customerId, { forUpdate: true });
  if (!row) throw notFound('customer');
  if (row.status === 'merged') {
    throw new AppError('conflict', 'this customer was merged into another; change the surviving customer', {
      details: [{ path: 'id', message: 'was merged', mergedIntoId: row.merged_into_id }],
    });
  }
  if (row.status === 'deleted' || row.status === 'erased') {
    throw new AppError('conflict', `this customer is ${row.status} and cannot change`, {
      details: [{ path: 'id', message: `is ${row.status}` }],
    });
  }
  return row;
}
