import type { Trx } from '../knex.js';
import type { Address } from './customer-model.js';
import { addressFromRow } from './customer-related-repository.js';
import type { CustomerScope } from './customer-subresource-access.js';
import { keysetPage, type TimeCursor } from '../time-cursor.js';

export type AddressType = Address['type'];

export interface AddressFields {
  type: AddressType;
  line1: string;
  line2: string | null;
  city: string;
  region: string | null;
  postalCode: string | null;
  country: string;
  isDefault: boolean;
}

const COLUMNS = ['id', 'type', 'line1', 'line2', 'city', 'region', 'postal_code', 'country', 'is_default', 'version'];

function toColumns(fields: Partial<AddressFields>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (fields.type !== undefined) out.type = fields.type;
  if (fields.line1 !== undefined) out.line1 = fields.line1;
  if (fields.line2 !== undefined) out.line2 = fields.line2;
  if (fields.city !== undefined) out.city = fields.city;
  if (fields.region !== undefined) out.region = fields.region;
  if (fields.postalCode !== undefined) out.postal_code = fields.postalCode;
  if (fields.country !== undefined) out.country = fields.country;
  if (fields.isDefault !== undefined) out.is_default = fields.isDefault;
  return out;
}

const ofCustomer = (scope: CustomerScope, customerId: string) => ({
  organization_id: scope.orgId,
  store_id: scope.storeId,
  customer_id: customerId,
});

/** A page of the customer's addresses in the order they were added. */
export async function listAddresses(
  trx: Trx,
  scope: CustomerScope,
  customerId: string,
  page: { limit: number; after?: TimeCursor },
): Promise<Array<{ item: Address; cursorAt: string }>> {
  const query = trx('customer_addresses').select(COLUMNS).where(ofCustomer(scope, customerId));
  const rows = await keysetPage(trx, query, page, 'asc');
  return rows.map((r: Record<string, string>) => ({ item: addressFromRow(r), cursorAt: r.cursor_at }));
}

export async function findAddress(
  trx: Trx,
  scope: CustomerScope,
  customerId: string,
  addressId: string,
): Promise<Address | undefined> {
  const row = await trx('customer_addresses')
    .where({ ...ofCustomer(scope, customerId), id: addressId })
    .first(COLUMNS);
  return row ? addressFromRow(row) : undefined;
}

export async function insertAddress(
  trx: Trx,
  scope: CustomerScope,
  customerId: string,
  fields: AddressFields,
): Promise<Address> {
  const [row] = await trx('customer_addresses')
    .insert({ ...ofCustomer(scope, customerId), ...toColumns(fields) })
    .returning(COLUMNS);
  return addressFromRow(row);
}

/** Applies a change and bumps the version; undefined when the address changed since `expectedVersion`. */
export async function updateAddress(
  trx: Trx,
  scope: CustomerScope,
  customerId: string,
  addressId: string,
  fields: Partial<AddressFields>,
  expectedVersion: number,
): Promise<Address | undefined> {
  const [row] = await trx('customer_addresses')
    .where({ ...ofCustomer(scope, customerId), id: addressId, version: expectedVersion })
    .update({ ...toColumns(fields), version: trx.raw('version + 1'), updated_at: trx.fn.now() })
    .returning(COLUMNS);
  return row ? addressFromRow(row) : undefined;
}

/** Unsets the default of a type (but for `exceptId`), so another address can become it; one default per type. */
export async function clearDefaultAddress(
  trx: Trx,
  scope: CustomerScope,
  customerId: string,
  type: AddressType,
  exceptId: string | null,
): Promise<void> {
  const query = trx('customer_addresses')
    .where({ ...ofCustomer(scope, customerId), type, is_default: true })
    .update({ is_default: false, version: trx.raw('version + 1'), updated_at: trx.fn.now() });
  if (exceptId) query.whereNot({ id: exceptId });
  await query;
}

export async function deleteAddress(
  trx: Trx,
  scope: CustomerScope,
  customerId: string,
  addressId: string,
): Promise<boolean> {
  const deleted = await trx('customer_addresses')
    .where({ ...ofCustomer(scope, customerId), id: addressId })
    .delete();
  return deleted > 0;
}
