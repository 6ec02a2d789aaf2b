import { createHash } from 'node:crypto';
import type { SandboxPerson } from './sandbox-kit.js';

// Sandbox people as Cova's CRM holds them: CustomerFull records (pos-apis.md §4, iQmetrix CRM reference), with
// the vendor's quirks seeded deterministically by index.

export interface CovaContactMethodRecord {
  Id: string;
  CustomerId: string;
  ContactMethodCategoryId: number;
  ContactMethodCategory: string;
  ContactMethodTypeId: number;
  ContactMethodType: string;
  Value: string;
  Default: boolean;
  DoNotContact: boolean;
  Notes: string;
}

export type CovaRecord = Record<string, unknown> & {
  Id: string;
  Version: number;
  LastModifiedDateUtc: string;
  ContactMethods: CovaContactMethodRecord[];
  MergedIntoCustomerId: string | null;
  MergedCustomers: string[];
  Disabled: boolean;
};

const CATEGORIES: Record<number, string> = { 1: 'Phone', 2: 'Email', 3: 'Other' };
const TYPES: Record<number, string> = {
  1: 'Home',
  2: 'Work',
  3: 'Mobile',
  4: 'Company',
  5: 'Pager',
  6: 'Home Fax',
  7: 'Work Fax',
  8: 'Other',
  9: 'Home',
  10: 'Work',
  11: 'Other',
  14: 'Twitter',
};
export const CUSTOMER_TYPES: Record<number, string> = { 1: 'None', 2: 'Person', 3: 'Company' };

/** A GUID that is the same on every run for the same seed text (v4-shaped). */
function stableGuid(seed: string): string {
  const h = createHash('sha1').update(seed).digest('hex');
  const variant = ((parseInt(h[16], 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export const customerGuid = (index: number) => stableGuid(`covasoft-sandbox-customer-${index}`);

/** .NET's rendering of a UTC DateTime of unspecified kind: seven fractional digits, no zone designator. */
export const dotNetUtc = (at: Date) => `${at.toISOString().slice(0, 23)}0000`;

const formatPhone = (digits: string) => `(${digits.slice(0, 3)}) ${digits.slice(3, 6)}-${digits.slice(6)}`;

/** A child record's id (contact method, address): the customer's GUID with the child's number as its last group. */
export const childGuid = (customerId: string, n: number) =>
  `${customerId.slice(0, 24)}${n.toString(16).padStart(12, '0')}`;

export function contactMethod(
  customerId: string,
  fields: { id: string; category: number; type: number; value: string; isDefault: boolean },
): CovaContactMethodRecord {
  return {
    Id: fields.id,
    CustomerId: customerId,
    ContactMethodCategoryId: fields.category,
    ContactMethodCategory: CATEGORIES[fields.category] ?? 'Other',
    ContactMethodTypeId: fields.type,
    ContactMethodType: TYPES[fields.type] ?? 'Other',
    Value: fields.value,
    Default: fields.isDefault,
    DoNotContact: false,
    Notes: '',
  };
}

/** Every 50th person was merged at the POS into the one before: disabled, pointing at the survivor. */
const mergedIntoPrevious = (index: number) => index % 50 === 49;

/**
 * One person as a CustomerFull (`id` is customerGuid(person.index), passed in when already known). Quirks by
 * index: every 5th has a non-default work phone listed before the default mobile, every 9th a work fax, every
 * 11th an "Other" contact (a Twitter handle), 1 in 7 no email; every 23rd no birthday; every 40th Disabled;
 * every 50th merged into the one before, which lists it in MergedCustomers.
 */
export function covaRecordOf(person: SandboxPerson, peopleCount: number, id = customerGuid(person.index)): CovaRecord {
  const i = person.index;
  const merged = mergedIntoPrevious(i) && i > 0;
  const survivorOf = i + 1 < peopleCount && mergedIntoPrevious(i + 1);
  const methods: CovaContactMethodRecord[] = [];
  const add = (category: number, type: number, value: string, isDefault: boolean) =>
    methods.push(contactMethod(id, { id: childGuid(id, methods.length + 1), category, type, value, isDefault }));
  if (i % 5 === 0) add(1, 2, formatPhone(`415${String(9000000 + i).padStart(7, '0')}`), false);
  if (i % 9 === 0) add(1, 7, formatPhone(`415${String(8000000 + i).padStart(7, '0')}`), false);
  add(1, 3, formatPhone(person.phone), true);
  if (i % 7 !== 3) add(2, 9, person.email, false);
  if (i % 11 === 0) add(3, 14, `@${person.email.split('@')[0].replace(/\./g, '_')}`, false);
  return {
    Id: id,
    CustomerTypeId: 2,
    CustomerType: CUSTOMER_TYPES[2],
    Title: '',
    PrimaryName: person.firstName,
    MiddleName: '',
    FamilyName: person.lastName,
    AlternateName: '',
    DateOfBirth: i % 23 === 22 ? null : `${person.birthday}T00:00:00`,
    Disabled: merged || i % 40 === 39,
    DoNotContact: true,
    Notes: '',
    ReferralSource: null,
    UniqueIdentifier: null,
    PricingGroupId: null,
    Version: 1 + (i % 3),
    MergedIntoCustomerId: merged ? customerGuid(i - 1) : null,
    MergedCustomers: survivorOf ? [customerGuid(i + 1)] : [],
    LastModifiedDateUtc: dotNetUtc(person.modifiedAt),
    Addresses: [
      {
        Id: childGuid(id, 0),
        CustomerId: id,
        AddressTypeId: 2,
        AddressType: 'Home',
        Default: true,
        DoNotContact: true,
        // Cova answers both naming schemes: iQmetrix's and its own legacy one.
        StreetAddress1: `${100 + i} Main Street`,
        StreetAddress2: '',
        Locality: 'Vancouver',
        StateCode: 'BC',
        PostalCode: 'V6B 1A1',
        CountryCode: 'CA',
        AddressLine1: `${100 + i} Main Street`,
        AddressLine2: '',
        City: 'Vancouver',
        StateName: 'British Columbia',
        CountryName: 'Canada',
        Zip: 0,
      },
    ],
    ContactMethods: methods,
    CustomerExtensions: [],
    Documents: [],
    RelatedCustomers: [],
    MemberOf: [],
  };
}
