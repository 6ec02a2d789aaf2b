import { createHash } from 'node:crypto';
import type { SandboxPerson } from './sandbox-kit.js';

// The Dutchie sandbox's company, locations and seeded customers, in Dutchie's shapes and quirks.

export const COMPANY = { CompanyId: 77, CompanyName: 'Sandbox Cannabis Co' };
export const LOCATIONS = [
  { apiKey: 'sandbox-leaflogix-main-st-key', LocationId: 1201, LocationName: 'Sandbox Dispensary - Main St' },
  { apiKey: 'sandbox-leaflogix-harbor-key', LocationId: 1202, LocationName: 'Sandbox Dispensary - Harbor' },
];
export const FIRST_ID = 5001;

export type LeaflogixRecord = Record<string, unknown> & { customerId?: number; customerID?: number };

export const utcText = (at: Date) => at.toISOString().replace('Z', ''); // .NET writes UTC without a zone

/** A sandbox person as Dutchie would list them, with the quirks seeded deterministically by index. */
export function leaflogixRecordOf(person: SandboxPerson): LeaflogixRecord {
  const i = person.index;
  const id = FIRST_ID + i;
  const location = LOCATIONS[i % LOCATIONS.length];
  return {
    // The docs' own example spells it customerID; some answers do.
    ...(i % 7 === 3 ? { customerID: id } : { customerId: id }),
    uniqueId: createHash('sha256').update(`uid-${i}`).digest('hex').slice(0, 32),
    firstName: person.firstName,
    middleName: '',
    lastName: person.lastName,
    namePrefix: null,
    nameSuffix: null,
    address1: `${100 + i} Sandbox Way`,
    address2: '',
    city: 'Oakland',
    state: 'CA',
    postalCode: '94601',
    phone: i % 5 === 2 ? '' : person.phone,
    cellPhone: i % 5 === 2 ? person.phone : '',
    emailAddress: i % 11 === 5 ? 'N/A' : person.email,
    status: i % 17 === 8 ? 'Inactive' : 'Active',
    customerType: person.medical ? (i % 3 === 0 ? 'Medical - Out of State' : 'Medical') : 'Recreational',
    mmjidNumber: person.medicalCard ?? (i % 2 ? 'N/A' : null),
    mmjidExpirationDate: person.medicalCard ? `2027-${String((i % 12) + 1).padStart(2, '0')}-28T00:00:00` : null,
    primaryQualifyingCondition: null,
    secondaryQualifyingConditions: [],
    gender: i % 2 ? 'F' : 'M',
    // Year-1900 is Dutchie's "unknown".
    dateOfBirth: i % 13 === 6 ? '1900-01-01T00:00:00' : `${person.birthday}T00:00:00`,
    notes: null,
    customIdentifier: null,
    isLoyaltyMember: person.loyaltyPoints > 0,
    isAnonymous: false,
    lastTransactionDate: utcText(person.modifiedAt),
    creationDate: utcText(new Date(person.modifiedAt.getTime() - 30 * 86_400_000)),
    lastModifiedDateUTC: utcText(person.modifiedAt),
    discountGroups: [],
    referralSource: null,
    otherReferralSource: null,
    springBigMemberId: 0,
    driversLicenseHash: createHash('sha256').update(person.driversLicense).digest('hex').slice(0, 40),
    externalCustomerId: null,
    createdAtLocation: location.LocationName,
    createdByIntegrator: false,
    mergedIntoCustomerId: null,
  };
}
