import { decryptField } from '../crypto/field-encryption.js';

export const CUSTOMER_STATUSES = ['active', 'inactive', 'merged', 'deleted', 'erased'] as const;
export type CustomerStatus = (typeof CUSTOMER_STATUSES)[number];
export const GENDERS = ['female', 'male', 'other', 'undisclosed'] as const;
export const CUSTOMER_TYPES = ['recreational', 'medical'] as const;
export const CONSENT_KINDS = ['marketingEmail', 'marketingSms', 'dataProcessing'] as const;
export type ConsentKind = (typeof CONSENT_KINDS)[number];

export interface Consent {
  granted: boolean;
  at: string | null;
  source: string | null;
}

export interface IdentityNumber {
  /** Decrypted; the presenter masks it for staff. */
  number: string | null;
  last4: string | null;
  state: string | null;
  expiresOn: string | null;
}

export interface Address {
  id: string;
  type: 'shipping' | 'billing';
  line1: string;
  line2: string | null;
  city: string;
  region: string | null;
  postalCode: string | null;
  country: string;
  isDefault: boolean;
  version: number;
}

export interface ExternalRef {
  provider: string;
  externalId: string;
}

/** A customer as the domain sees it: decrypted, camelCase, with its tags, addresses and POS refs. */
export interface Customer {
  id: string;
  organizationId: string;
  storeId: string;
  firstName: string | null;
  middleName: string | null;
  lastName: string | null;
  birthday: string | null;
  email: string | null;
  phone: string | null;
  gender: string | null;
  customerType: 'recreational' | 'medical';
  driversLicense: IdentityNumber | null;
  medicalCard: IdentityNumber | null;
  status: CustomerStatus;
  mergedIntoId: string | null;
  consents: Record<ConsentKind, Consent>;
  loyaltyPoints: number;
  hasAvatar: boolean;
  posSyncStatus: 'none' | 'pending' | 'synced' | 'failed';
  tags: string[];
  addresses: Address[];
  externalRefs: ExternalRef[];
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface CustomerRelated {
  tags: string[];
  addresses: Address[];
  externalRefs: ExternalRef[];
}

type Row = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function identity(row: Row, prefix: 'drivers_license' | 'medical_card'): IdentityNumber | null {
  const ciphertext = row[`${prefix}_ciphertext`];
  if (!ciphertext && !row[`${prefix}_state`] && !row[`${prefix}_expires_on`]) return null;
  return {
    number: ciphertext ? decryptField(ciphertext) : null,
    last4: row[`${prefix}_last4`] ?? null,
    state: row[`${prefix}_state`] ?? null,
    expiresOn: row[`${prefix}_expires_on`] ?? null,
  };
}

function consents(raw: Row | null): Record<ConsentKind, Consent> {
  const out = {} as Record<ConsentKind, Consent>;
  for (const kind of CONSENT_KINDS) {
    const c = raw?.[kind];
    out[kind] = { granted: Boolean(c?.granted), at: c?.at ?? null, source: c?.source ?? null };
  }
  return out;
}

export const NO_RELATED: CustomerRelated = { tags: [], addresses: [], externalRefs: [] };

/** Maps a `customers` row (select *) and its related rows to the domain shape. */
export function customerFromRow(row: Row, related: CustomerRelated = NO_RELATED): Customer {
  return {
    id: row.id,
    organizationId: row.organization_id,
    storeId: row.store_id,
    firstName: row.first_name,
    middleName: row.middle_name,
    lastName: row.last_name,
    birthday: row.birthday,
    email: row.email,
    phone: row.phone,
    gender: row.gender,
    customerType: row.customer_type,
    driversLicense: identity(row, 'drivers_license'),
    medicalCard: identity(row, 'medical_card'),
    status: row.status,
    mergedIntoId: row.merged_into_id,
    consents: consents(row.consents),
    loyaltyPoints: row.loyalty_points,
    hasAvatar: Boolean(row.avatar_key),
    posSyncStatus: row.pos_sync_status,
    tags: related.tags,
    addresses: related.addresses,
    externalRefs: related.externalRefs,
    version: row.version,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
