import { createHash } from 'node:crypto';
import { blindIndex, encryptField, lastFour } from '../crypto/field-encryption.js';
import type { Trx } from '../knex.js';
import { CONSENT_KINDS } from './customer-model.js';
import type { ChangedField, CustomerValues, IdentityValue, PreparedAddress } from './customer-rules.js';

// Inserts and updates of customers and the rows a create brings along. Reads live in customer-repository.ts.

type Row = Record<string, unknown>;

function identityColumns(prefix: 'drivers_license' | 'medical_card', value: IdentityValue | null): Row {
  return {
    [`${prefix}_ciphertext`]: value ? encryptField(value.number) : null,
    [`${prefix}_bidx`]: value ? blindIndex(prefix, value.number) : null,
    [`${prefix}_last4`]: value ? lastFour(value.number) : null,
    [`${prefix}_state`]: value?.state ?? null,
    [`${prefix}_expires_on`]: value?.expiresOn ?? null,
  };
}

/** Only consents that were ever decided are stored; the model reads a missing one as not granted. */
function consentsColumn(values: CustomerValues): string {
  const recorded = Object.fromEntries(
    CONSENT_KINDS.filter((k) => values.consents[k].at !== null).map((k) => [k, values.consents[k]]),
  );
  return JSON.stringify(recorded);
}

const COLUMNS_OF: Record<ChangedField, (v: CustomerValues) => Row> = {
  firstName: (v) => ({ first_name: v.firstName }),
  middleName: (v) => ({ middle_name: v.middleName }),
  lastName: (v) => ({ last_name: v.lastName }),
  birthday: (v) => ({ birthday: v.birthday }),
  email: (v) => ({ email: v.email }),
  phone: (v) => ({ phone: v.phone }),
  gender: (v) => ({ gender: v.gender }),
  customerType: (v) => ({ customer_type: v.customerType }),
  driversLicense: (v) => identityColumns('drivers_license', v.driversLicense),
  medicalCard: (v) => identityColumns('medical_card', v.medicalCard),
  'consents.marketingEmail': (v) => ({ consents: consentsColumn(v) }),
  'consents.marketingSms': (v) => ({ consents: consentsColumn(v) }),
  'consents.dataProcessing': (v) => ({ consents: consentsColumn(v) }),
};

/** The columns that store the given fields of `values` (identity numbers encrypted, with blind index). */
export function columnsFor(values: CustomerValues, fields: readonly ChangedField[]): Row {
  return Object.assign({}, ...fields.map((f) => COLUMNS_OF[f](values)));
}

export async function insertCustomerRow(
  trx: Trx,
  orgId: string,
  storeId: string,
  values: CustomerValues,
  fields: readonly ChangedField[],
): Promise<Row> {
  const [row] = await trx('customers')
    .insert({
      organization_id: orgId,
      store_id: storeId,
      customer_type: values.customerType,
      consents: consentsColumn(values),
      ...columnsFor(values, fields),
    })
    .returning('*');
  return row;
}

/**
 * Writes the columns and bumps the version, only if the row still has `expectedVersion`:
 * undefined means someone else changed it first.
 */
export async function updateCustomerRow(
  trx: Trx,
  orgId: string,
  storeId: string,
  id: string,
  expectedVersion: number,
  columns: Row,
): Promise<Row | undefined> {
  const [row] = await trx('customers')
    .where({ organization_id: orgId, store_id: storeId, id, version: expectedVersion })
    .update({ ...columns, version: trx.raw('version + 1'), updated_at: trx.fn.now() })
    .returning('*');
  return row;
}

export async function softDeleteCustomerRow(
  trx: Trx,
  orgId: string,
  storeId: string,
  id: string,
  expectedVersion: number,
): Promise<Row | undefined> {
  return updateCustomerRow(trx, orgId, storeId, id, expectedVersion, { status: 'deleted', deleted_at: trx.fn.now() });
}

export async function insertAddresses(
  trx: Trx,
  orgId: string,
  storeId: string,
  customerId: string,
  addresses: PreparedAddress[],
): Promise<void> {
  if (addresses.length === 0) return;
  await trx('customer_addresses').insert(
    addresses.map((a) => ({
      organization_id: orgId,
      store_id: storeId,
      customer_id: customerId,
      type: a.type,
      line1: a.line1,
      line2: a.line2,
      city: a.city,
      region: a.region,
      postal_code: a.postalCode,
      country: a.country,
      is_default: a.isDefault,
    })),
  );
}

/** Adds the labels the customer does not have yet (in any case); returns those added. */
export async function addTags(
  trx: Trx,
  orgId: string,
  storeId: string,
  customerId: string,
  labels: string[],
  createdBy: string | null,
): Promise<string[]> {
  if (labels.length === 0) return [];
  const rows = await trx('customer_tags')
    .insert(
      labels.map((label) => ({
        organization_id: orgId,
        store_id: storeId,
        customer_id: customerId,
        label,
        created_by: createdBy,
      })),
    )
    .onConflict(trx.raw('(customer_id, lower(label))'))
    .ignore()
    .returning('label');
  return rows.map((r: { label: string }) => r.label);
}

export async function insertExternalRef(
  trx: Trx,
  orgId: string,
  storeId: string,
  customerId: string,
  ref: { provider: string; externalId: string },
): Promise<void> {
  await trx('customer_external_refs').insert({
    organization_id: orgId,
    store_id: storeId,
    customer_id: customerId,
    provider: ref.provider,
    external_id: ref.externalId,
  });
}

/** 64-bit lock ids from a hash, so no identifier reaches PostgreSQL's lock table or statement logs. */
const lockId = (key: string) => createHash('sha256').update(key).digest().readBigInt64BE(0).toString();

/**
 * Transaction-scoped advisory locks, taken in the order given (callers sort), in one round trip:
 * PostgreSQL evaluates a select list left to right.
 */
export async function lockKeys(trx: Trx, keys: string[]): Promise<void> {
  if (keys.length === 0) return;
  const ids = keys.map(lockId);
  await trx.raw(`select ${ids.map(() => 'pg_advisory_xact_lock(?::bigint)').join(', ')}`, ids);
}

/** A unique violation on the store's external refs: the same POS id was attached concurrently. */
export const isExternalRefTaken = (err: unknown) =>
  (err as { code?: string }).code === '23505' &&
  /customer_external_refs/.test((err as { constraint?: string }).constraint ?? '');
