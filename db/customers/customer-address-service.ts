import { AppError, notFound } from '../../config/errors.js';
import { recordAudit } from '../audit/audit-repository.js';
import type { ServiceContext } from '../context.js';
import type { Db, Trx } from '../knex.js';
import { writeOutboxEvent } from '../outbox/outbox-repository.js';
import type { Page } from '../pagination.js';
import { withTenant } from '../tenant.js';
import {
  clearDefaultAddress,
  deleteAddress,
  findAddress,
  insertAddress,
  listAddresses,
  updateAddress,
  type AddressFields,
} from './customer-address-repository.js';
import type { Address } from './customer-model.js';
import { customerForChange, customerForRead, scopeOf, type CustomerScope } from './customer-subresource-access.js';
import { touchCustomer } from './customer-subresource-repository.js';
import { decodeTimeCursor, pageOfItems, type PageRequest } from '../time-cursor.js';

async function recordAddressChange(
  trx: Trx,
  ctx: ServiceContext,
  scope: CustomerScope,
  customerId: string,
  action: string,
  addressId: string,
): Promise<void> {
  await touchCustomer(trx, scope, customerId);
  await recordAudit(trx, ctx, { action, subjectType: 'customer', subjectId: customerId, changedFields: ['addresses'] });
  await writeOutboxEvent(trx, ctx, {
    type: 'customer.updated',
    subject: { type: 'customer', id: customerId },
    data: { addressId, changedFields: ['addresses'] },
  });
}

function staleVersion(current: number): AppError {
  return new AppError('conflict', 'the address changed since you read it; read it again and retry', {
    details: [{ path: 'If-Match', message: 'is not the current version', currentVersion: current }],
  });
}

async function addressForChange(
  trx: Trx,
  scope: CustomerScope,
  customerId: string,
  addressId: string,
  ifMatch: number | undefined,
): Promise<Address> {
  await customerForChange(trx, scope, customerId);
  const address = await findAddress(trx, scope, customerId, addressId);
  if (!address) throw notFound('address');
  if (ifMatch !== undefined && ifMatch !== address.version) throw staleVersion(address.version);
  return address;
}

export async function listCustomerAddresses(
  db: Db,
  ctx: ServiceContext,
  customerId: string,
  request: PageRequest,
): Promise<Page<Address>> {
  const scope = scopeOf(ctx);
  const after = decodeTimeCursor(request.cursor);
  const rows = await withTenant(db, { orgId: ctx.orgId }, async (trx) => {
    await customerForRead(trx, scope, customerId);
    return listAddresses(trx, scope, customerId, { limit: request.limit, after });
  });
  return pageOfItems(rows, request.limit);
}

/** Adds an address; a new default of its type takes over from the old one in the same transaction. */
export async function addCustomerAddress(
  db: Db,
  ctx: ServiceContext,
  customerId: string,
  fields: AddressFields,
): Promise<Address> {
  const scope = scopeOf(ctx);
  return withTenant(db, { orgId: ctx.orgId }, async (trx) => {
    await customerForChange(trx, scope, customerId);
    if (fields.isDefault) await clearDefaultAddress(trx, scope, customerId, fields.type, null);
    const address = await insertAddress(trx, scope, customerId, fields);
    await recordAddressChange(trx, ctx, scope, customerId, 'customer.address_added', address.id);
    return address;
  });
}

/** Partial change honouring `If-Match`; a change that changes nothing writes nothing. */
export async function changeCustomerAddress(
  db: Db,
  ctx: ServiceContext,
  customerId: string,
  addressId: string,
  patch: Partial<AddressFields>,
  ifMatch: number | undefined,
): Promise<Address> {
  const scope = scopeOf(ctx);
  return withTenant(db, { orgId: ctx.orgId }, async (trx) => {
    const current = await addressForChange(trx, scope, customerId, addressId, ifMatch);
    const changes = Object.fromEntries(
      Object.entries(patch).filter(([field, value]) => current[field as keyof Address] !== value),
    ) as Partial<AddressFields>;
    if (Object.keys(changes).length === 0) return current;
    const type = changes.type ?? current.type;
    if (changes.isDefault ?? current.isDefault) await clearDefaultAddress(trx, scope, customerId, type, addressId);
    const updated = await updateAddress(trx, scope, customerId, addressId, changes, current.version);
    // The customer row is locked, so the address cannot have moved on since it was read.
    if (!updated) throw staleVersion(current.version);
    await recordAddressChange(trx, ctx, scope, customerId, 'customer.address_updated', addressId);
    return updated;
  });
}

export async function removeCustomerAddress(
  db: Db,
  ctx: ServiceContext,
  customerId: string,
  addressId: string,
  ifMatch: number | undefined,
): Promise<void> {
  const scope = scopeOf(ctx);
  await withTenant(db, { orgId: ctx.orgId }, async (trx) => {
    await addressForChange(trx, scope, customerId, addressId, ifMatch);
    await deleteAddress(trx, scope, customerId, addressId);
    await recordAddressChange(trx, ctx, scope, customerId, 'customer.address_removed', addressId);
  });
}
