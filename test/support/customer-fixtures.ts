import { blindIndex, encryptField, lastFour } from '../../db/crypto/field-encryption.js';
import {
  normaliseEmail,
  normaliseIdNumber,
  normaliseName,
  normalisePhone,
} from '../../db/customers/customer-normalise.js';
import { testContext } from './test-context.js';

export interface CustomerSeed {
  orgId: string;
  storeId: string;
  firstName: string;
  lastName: string;
  middleName?: string;
  email?: string;
  phone?: string;
  birthday?: string;
  driversLicense?: string;
  medicalCard?: string;
  status?: string;
  createdAt?: Date;
}

/**
 * A customer row written straight through the owner connection, normalised and encrypted the way the
 * service stores it: for tests that need many customers fast (search, duplicates) or a given state.
 */
export function customerRow(seed: CustomerSeed): Record<string, unknown> {
  const phone = seed.phone ? normalisePhone(seed.phone, 'US') : undefined;
  if (phone && 'error' in phone) throw new Error(`fixture phone ${seed.phone}: ${phone.error}`);
  const dl = seed.driversLicense ? normaliseIdNumber(seed.driversLicense) : undefined;
  const mc = seed.medicalCard ? normaliseIdNumber(seed.medicalCard) : undefined;
  return {
    organization_id: seed.orgId,
    store_id: seed.storeId,
    first_name: normaliseName(seed.firstName),
    last_name: normaliseName(seed.lastName),
    middle_name: seed.middleName ? normaliseName(seed.middleName) : null,
    email: seed.email ? normaliseEmail(seed.email) : null,
    phone: phone?.value ?? null,
    birthday: seed.birthday ?? null,
    drivers_license_ciphertext: dl ? encryptField(dl) : null,
    drivers_license_bidx: dl ? blindIndex('drivers_license', dl) : null,
    drivers_license_last4: dl ? lastFour(dl) : null,
    medical_card_ciphertext: mc ? encryptField(mc) : null,
    medical_card_bidx: mc ? blindIndex('medical_card', mc) : null,
    medical_card_last4: mc ? lastFour(mc) : null,
    status: seed.status ?? 'active',
    ...(seed.createdAt ? { created_at: seed.createdAt, updated_at: seed.createdAt } : {}),
  };
}

export async function insertCustomers(seeds: CustomerSeed[]): Promise<string[]> {
  if (seeds.length === 0) return [];
  const rows = await testContext().owner('customers').insert(seeds.map(customerRow)).returning('id');
  return rows.map((r: { id: string }) => r.id);
}

export async function insertCustomer(seed: CustomerSeed): Promise<string> {
  return (await insertCustomers([seed]))[0];
}
