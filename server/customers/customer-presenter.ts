import type { Customer, IdentityNumber } from '../../db/customers/customer-model.js';
import { roleAtLeast, type Role } from '../../db/users/roles.js';

const MASK = '••••';

function identity(value: IdentityNumber | null, masked: boolean) {
  if (!value) return null;
  const number = value.number === null ? null : masked ? `${MASK} ${value.last4 ?? ''}`.trim() : value.number;
  return { number, state: value.state, expiresOn: value.expiresOn };
}

/**
 * The Customer shape of API.md. Staff (and staff API keys) see licence and medical numbers masked;
 * managers and up see them in full. An erased customer shows every personal field null.
 */
export function presentCustomer(c: Customer, viewerRole: Role) {
  const masked = !roleAtLeast(viewerRole, 'manager');
  return {
    id: c.id,
    storeId: c.storeId,
    firstName: c.firstName,
    middleName: c.middleName,
    lastName: c.lastName,
    birthday: c.birthday,
    email: c.email,
    phone: c.phone,
    gender: c.gender,
    customerType: c.customerType,
    driversLicense: identity(c.driversLicense, masked),
    medicalCard: identity(c.medicalCard, masked),
    status: c.status,
    mergedIntoId: c.mergedIntoId,
    consents: c.consents,
    loyaltyPoints: c.loyaltyPoints,
    avatarUrl: c.hasAvatar ? `/api/v1/stores/${c.storeId}/customers/${c.id}/avatar` : null,
    tags: c.tags,
    addresses: c.addresses,
    externalRefs: c.externalRefs,
    posSyncStatus: c.posSyncStatus,
    version: c.version,
    createdAt: c.createdAt,
    updatedAt: c.updatedAt,
  };
}

export type CustomerResponse = ReturnType<typeof presentCustomer>;
